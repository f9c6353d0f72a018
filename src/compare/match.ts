// Pass 2 of the hash join: bucket by bucket, the baseline's records are indexed by key (the first occurrence wins)
// and the new file's records of the same bucket are looked up in that table; the entering, changed and exiting rows
// go to change segments, one segment per bucket and kind.
import { join } from 'node:path'
import { setImmediate as yieldToEvents } from 'node:timers/promises'
import { closeAll, KeyTable, readBucket, sameRow } from './buckets.js'
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
  const enteringSegment = new SegmentWriter(join(task.dir, `${task.name}.e`))
  const changedSegment = new SegmentWriter(join(task.dir, `${task.name}.k`))
  const exitingSegment = new SegmentWriter(join(task.dir, `${task.name}.x`))
  const skippedSegment = new SegmentWriter(join(task.dir, `${task.name}.s`))
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
      table.reset(old)
      // Each baseline record's slot; -1 for a later occurrence of a key (the first one wins).
      if (slots.length < old.count) slots = new Int32Array(old.count * 2)
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
      const now = readBucket(join(task.dir, `c${b}`), newBuffers)
      // Keys of the new file that the baseline does not have, to find their duplicates.
      entering.reset(now)
      for (let j = 0; j < now.count; j++) {
        const slot = table.find(now, j)
        const match = table.record(slot)
        if (match < 0) {
          const own = entering.find(now, j)
          if (entering.record(own) >= 0) {
            result.duplicateKeys.current++
            skippedSegment.add(now, j)
            continue
          }
          entering.set(own, j)
          enteringSegment.add(now, j)
          result.entering++
          continue
        }
        if (table.matched[slot]) {
          result.duplicateKeys.current++
          skippedSegment.add(now, j)
          continue
        }
        table.matched[slot] = 1
        if (task.columnsDiffer || !sameRow(old, match, now, j)) {
          changedSegment.add(now, j)
          result.changed++
        }
      }
      // In the baseline's order: the exiting file keeps its source's order.
      for (let i = 0; i < old.count; i++) {
        if (slots[i] < 0) continue
        result.baselineMembers++
        if (table.matched[slots[i]]) continue
        exitingSegment.add(old, i)
        result.exiting++
      }
      result.segments.entering.push(enteringSegment.endSegment())
      result.segments.changed.push(changedSegment.endSegment())
      result.segments.exiting.push(exitingSegment.endSegment())
      result.segments.skipped.push(skippedSegment.endSegment())
    }
  } finally {
    closeAll([enteringSegment, changedSegment, exitingSegment, skippedSegment])
  }
  return result
}
