// Pass 2 of the hash join: bucket by bucket, the baseline's records are indexed by key (the first occurrence wins)
// and the new file's records of the same bucket are looked up in that table; the entering, changed and exiting rows
// go to change runs, one run per bucket and kind.
import { join } from 'node:path'
import { setImmediate as yieldToEvents } from 'node:timers/promises'
import { closeAll, KeyTable, readBucket, sameRow } from './buckets.js'
import type { Cancellation } from '../runtime/cancel.js'
import { type Run, RunWriter } from './change-runs.js'

export interface MatchTask {
  /** Bucket files are `<dir>/b<i>` (baseline) and `<dir>/c<i>` (new file); run files `<dir>/<name>.e|k|x|s`. */
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
  /** Per kind, a run per bucket; `skipped`: the new file's rows that repeat an earlier key. */
  runs: { entering: Run[]; changed: Run[]; exiting: Run[]; skipped: Run[] }
}

/** Matches the task's buckets; stops (throwing) between buckets once `cancel` says so. */
export async function matchBuckets(task: MatchTask, cancel?: Cancellation): Promise<Matched> {
  const result: Matched = {
    entering: 0,
    exiting: 0,
    changed: 0,
    baselineMembers: 0,
    duplicateKeys: { baseline: 0, current: 0 },
    runs: { entering: [], changed: [], exiting: [], skipped: [] }
  }
  const oldBuffers = { data: Buffer.alloc(0), index: Buffer.alloc(0) }
  const newBuffers = { data: Buffer.alloc(0), index: Buffer.alloc(0) }
  const enteringRun = new RunWriter(join(task.dir, `${task.name}.e`))
  const changedRun = new RunWriter(join(task.dir, `${task.name}.k`))
  const exitingRun = new RunWriter(join(task.dir, `${task.name}.x`))
  const skippedRun = new RunWriter(join(task.dir, `${task.name}.s`))
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
            skippedRun.add(now, j)
            continue
          }
          entering.set(own, j)
          enteringRun.add(now, j)
          result.entering++
          continue
        }
        if (table.matched[slot]) {
          result.duplicateKeys.current++
          skippedRun.add(now, j)
          continue
        }
        table.matched[slot] = 1
        if (task.columnsDiffer || !sameRow(old, match, now, j)) {
          changedRun.add(now, j)
          result.changed++
        }
      }
      // In the baseline's order: the exiting file keeps its source's order.
      for (let i = 0; i < old.count; i++) {
        if (slots[i] < 0) continue
        result.baselineMembers++
        if (table.matched[slots[i]]) continue
        exitingRun.add(old, i)
        result.exiting++
      }
      result.runs.entering.push(enteringRun.endRun())
      result.runs.changed.push(changedRun.endRun())
      result.runs.exiting.push(exitingRun.endRun())
      result.runs.skipped.push(skippedRun.endRun())
    }
  } finally {
    closeAll([enteringRun, changedRun, exitingRun, skippedRun])
  }
  return result
}
