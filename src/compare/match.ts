// Pass 2 of the hash join: bucket by bucket, the baseline's records are indexed by key (the first occurrence wins)
// and the new file's records of the same bucket are looked up in that table; the entering, changed and exiting rows
// go to change segments, one segment per bucket and kind.
import { join } from 'node:path'
import { setImmediate as yieldToEvents } from 'node:timers/promises'
import { type Bucket, closeAll, KeyTable, readBucket, sameRow } from './buckets.js'
import type { Cancellation } from '../runtime/cancel.js'
import { type Segment, SegmentWriter } from './change-segments.js'

export interface MatchTask {
  /** Bucket files are `<dir>/b<i>` (baseline) and `<dir>/c<i>` (new file); segment files `<dir>/<name>.e|k|x|s`. */
  dir: string
  name: string
  buckets: number[]
  /** Whether the two files' columns differ: then every member in both counts as changed. */
  columnsDiffer: boolean
}

export interface Matched {
  entering: number
  exiting: number
  changed: number
  baselineMembers: number
  duplicateKeys: { baseline: number; current: number }
  /** Per kind, a segment per bucket; `skipped`: the new file's rows that repeat an earlier key. */
  segments: { entering: Segment[]; changed: Segment[]; exiting: Segment[]; skipped: Segment[] }
}

/** The four change segments' writers of a task. */
interface Writers {
  entering: SegmentWriter
  changed: SegmentWriter
  exiting: SegmentWriter
  skipped: SegmentWriter
}

/** Matches the task's buckets; stops (throwing) between buckets once `cancel` says so. */
export async function matchBuckets(task: MatchTask, cancel?: Cancellation): Promise<Matched> {
  const result: Matched = {
    entering: 0,
    exiting: 0,
    changed: 0,
    baselineMembers: 0,
    duplicateKeys: { baseline: 0, current: 0 },
    segments: { entering: [], changed: [], exiting: [], skipped: [] }
  }
  const oldBuffers = { data: Buffer.alloc(0), index: Buffer.alloc(0) }
  const newBuffers = { data: Buffer.alloc(0), index: Buffer.alloc(0) }
  const writers: Writers = {
    entering: new SegmentWriter(join(task.dir, `${task.name}.e`)),
    changed: new SegmentWriter(join(task.dir, `${task.name}.k`)),
    exiting: new SegmentWriter(join(task.dir, `${task.name}.x`)),
    skipped: new SegmentWriter(join(task.dir, `${task.name}.s`))
  }
  // Reused from bucket to bucket (grown when too small), so memory stays that of the largest bucket.
  const table = new KeyTable()
  const entering = new KeyTable()
  let slots = new Int32Array(0)
  try {
    for (const b of task.buckets) {
      // Between buckets: a cancellation is noticed.
      await yieldToEvents()
      cancel?.throwIfAborted()
      const old = readBucket(join(task.dir, `b${b}`), oldBuffers)
      if (slots.length < old.count) slots = new Int32Array(old.count * 2)
      indexBaseline(old, table, slots, result)
      const now = readBucket(join(task.dir, `c${b}`), newBuffers)
      matchCurrent(old, now, table, entering, task.columnsDiffer, writers, result)
      collectExiting(old, table, slots, writers, result)
      for (const kind of ['entering', 'changed', 'exiting', 'skipped'] as const) {
        result.segments[kind].push(writers[kind].endSegment())
      }
    }
  } finally {
    closeAll(Object.values(writers))
  }
  return result
}

/** Indexes a baseline bucket: each record's slot in `slots`, -1 for a later occurrence of a key (the first wins). */
function indexBaseline(old: Bucket, table: KeyTable, slots: Int32Array, result: Matched): void {
  table.reset(old)
  for (let i = 0; i < old.count; i++) {
    const slot = table.find(old, i)
    if (table.record(slot) >= 0) {
      result.duplicateKeys.baseline++
      slots[i] = -1
    } else {
      table.set(slot, i)
      slots[i] = slot
    }
  }
}

/** Looks each record of the new file's bucket up: entering, changed, or skipped (a repeated key). */
function matchCurrent(
  old: Bucket,
  now: Bucket,
  table: KeyTable,
  entering: KeyTable,
  columnsDiffer: boolean,
  writers: Writers,
  result: Matched
): void {
  // Keys of the new file that the baseline does not have, to find their duplicates.
  entering.reset(now)
  for (let j = 0; j < now.count; j++) {
    const slot = table.find(now, j)
    const match = table.record(slot)
    if (match < 0) {
      const own = entering.find(now, j)
      if (entering.record(own) >= 0) {
        result.duplicateKeys.current++
        writers.skipped.add(now, j)
        continue
      }
      entering.set(own, j)
      writers.entering.add(now, j)
      result.entering++
      continue
    }
    if (table.matched[slot]) {
      result.duplicateKeys.current++
      writers.skipped.add(now, j)
      continue
    }
    table.matched[slot] = 1
    if (columnsDiffer || !sameRow(old, match, now, j)) {
      writers.changed.add(now, j)
      result.changed++
    }
  }
}

/** The baseline's members the new file did not match, in the baseline's order (the exiting file keeps it). */
function collectExiting(
  old: Bucket,
  table: KeyTable,
  slots: Int32Array,
  writers: Writers,
  result: Matched
): void {
  for (let i = 0; i < old.count; i++) {
    if (slots[i] < 0) continue
    result.baselineMembers++
    if (table.matched[slots[i]]) continue
    writers.exiting.add(old, i)
    result.exiting++
  }
}
