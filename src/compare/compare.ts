// What changed between two membership files, matched by a key column, without holding either file in memory. Files
// that are both in key order (an export sorted by ID) are walked side by side in one pass (merge-join.ts). Otherwise,
// a hash join: both files are spread over bucket files by a hash of the key (spread.ts); each
// bucket's baseline is indexed in memory (an open-addressing table of offsets: no string per row) and matched
// against the same bucket of the new file (match.ts); the change segments each bucket wrote are merged by row number
// into the change files (change-segments.ts). Either way the rows are copied byte for byte, in source order.
import { copyFile, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { mergeSegments, type Segment } from './change-segments.js'
import { headerOf } from '../csv/csv.js'
import { compareSorted } from './merge-join.js'
import { columnChanges, type ColumnChanges } from './keyed-rows.js'
import { matchBuckets, type Matched, type MatchTask } from './match.js'
import { spreadHere } from './spread.js'
import type { Scheduler } from '../net/scheduler.js'

export { MissingKeyColumnError } from '../errors.js'
export { RecordTooLargeError } from '../errors.js'

export interface ChangeFiles {
  entering: string
  exiting: string
  changed: string
  /** The new file's rows that cannot be matched: an empty key, or a repeat of an earlier key. */
  skipped: string
}

export interface Comparison {
  /** `merge`: both files were in key order, compared in one pass; `hash`: compared through bucket files. */
  method: 'merge' | 'hash'
  entering: number
  exiting: number
  /** Members in both files whose row differs; when the columns differ, every member in both. */
  changed: number
  /**
   * The new file's rows that cannot be matched (its empty keys and repeats): entering + changed + unchanged + skipped
   * is the new file's row count.
   */
  skipped: number
  /** Whether the two files' column lists differ (name by name, as bytes), and the names added and removed. */
  columns: ColumnChanges
  /** Distinct non-empty keys in the baseline: the base of a `max-exiting` percentage. */
  baselineMembers: number
  emptyKeys: { baseline: number; current: number }
  duplicateKeys: { baseline: number; current: number }
}

export interface CompareOptions {
  /** The longest CSV record allowed in either file (64 MiB by default): a longer one throws RecordTooLargeError. */
  maxRecordBytes?: number
  /**
   * The run's cancellation: once aborted, the comparison stops within a batch of rows, removes
   * what it wrote, and rejects with the signal's reason.
   */
  signal?: AbortSignal
  /** With several cohorts: the scheduler, which runs one comparison at a time. */
  scheduler?: Pick<Scheduler, 'compare'>
}

const BUCKET_BYTES = 4 << 20

/**
 * Compares `current` against `baseline` by the column `key`; writes the change files (`workDir` for scratch). With
 * several cohorts, the scheduler runs one comparison at a time (net/scheduler.ts).
 */
export async function compareMemberships(
  current: string,
  baseline: string,
  key: string,
  out: ChangeFiles,
  workDir: string,
  options: CompareOptions = {}
): Promise<Comparison> {
  const { signal = new AbortController().signal, scheduler } = options
  const compare = (): Promise<Comparison> => {
    signal.throwIfAborted()
    return compareNow(current, baseline, key, out, workDir, options)
  }
  try {
    return await (scheduler ? scheduler.compare(compare, signal) : compare())
  } catch (error) {
    // A failed comparison leaves no change file (not even one of an earlier export at that name).
    for (const file of Object.values(out)) await rm(file, { force: true })
    throw error
  }
}

async function compareNow(
  current: string,
  baseline: string,
  key: string,
  out: ChangeFiles,
  workDir: string,
  options: CompareOptions
): Promise<Comparison> {
  const partial = {
    entering: `${out.entering}.partial`,
    exiting: `${out.exiting}.partial`,
    changed: `${out.changed}.partial`,
    skipped: `${out.skipped}.partial`
  }
  try {
    // Files in key order (an export sorted by ID) take one pass; any other order is found early on, at its first key
    // out of order, and takes the hash join.
    const result =
      (await compareSorted(current, baseline, key, partial, options)) ??
      (await compareHashed(current, baseline, key, partial, workDir, options))
    options.signal?.throwIfAborted()
    await rename(partial.entering, out.entering)
    await rename(partial.exiting, out.exiting)
    await rename(partial.changed, out.changed)
    await rename(partial.skipped, out.skipped)
    return result
  } finally {
    for (const file of Object.values(partial)) await rm(file, { force: true })
  }
}

/** The hash join: both files spread over bucket files, matched bucket by bucket, the change segments merged. */
async function compareHashed(
  current: string,
  baseline: string,
  key: string,
  partial: ChangeFiles,
  workDir: string,
  { maxRecordBytes, signal }: CompareOptions
): Promise<Comparison> {
  const sizes = (await stat(current)).size + (await stat(baseline)).size
  const count = Math.min(256, Math.max(1, Math.ceil(sizes / BUCKET_BYTES)))
  const dir = await mkdtemp(join(workDir, '.compare-'))
  try {
    // The new file, then the baseline (both headers were checked by compareSorted), on this thread: a second one
    // bought less than 25 % on 2 M shuffled members and cost 30–40 MiB (bench/notes.md, 2026-12).
    const spread = (path: string, file: 'baseline' | 'current', name: string, skippedSegment?: string) =>
      spreadHere({ path, file, key, dir, name, count, maxRecordBytes, skippedSegment }, signal)
    const next = await spread(current, 'current', 'c', join(dir, 'c.s'))
    const base = await spread(baseline, 'baseline', 'b')
    const columns = columnChanges(base.names, next.names)
    const buckets = Array.from({ length: count }, (_, b) => b)
    const task: MatchTask = { dir, name: 'r0', buckets, columnsDiffer: columns.differ }
    const parts = [await matchBuckets(task, signal)]
    const sum = (count: (part: Matched) => number): number =>
      parts.reduce((total, part) => total + count(part), 0)
    const segments = (kind: keyof Matched['segments']): Segment[] =>
      parts.flatMap(part => part.segments[kind])
    await mergeSegments(segments('entering'), partial.entering, next.header, signal)
    await mergeSegments(segments('changed'), partial.changed, next.header, signal)
    await mergeSegments(segments('exiting'), partial.exiting, base.header, signal)
    const skipped = [...(next.skipped ? [next.skipped] : []), ...segments('skipped')]
    await mergeSegments(skipped, partial.skipped, next.header, signal)
    return {
      method: 'hash',
      entering: sum(part => part.entering),
      exiting: sum(part => part.exiting),
      changed: sum(part => part.changed),
      skipped: next.emptyKeys + sum(part => part.duplicateKeys.current),
      columns,
      baselineMembers: sum(part => part.baselineMembers),
      emptyKeys: { baseline: base.emptyKeys, current: next.emptyKeys },
      duplicateKeys: {
        baseline: sum(part => part.duplicateKeys.baseline),
        current: sum(part => part.duplicateKeys.current)
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * No baseline: as Amplitude's first sync, every member is entering: the entering file is the membership file, the
 * exiting, changed and skipped files hold its header only (the whole list is replaced: nothing needs matching).
 */
export async function firstExport(current: string, out: ChangeFiles): Promise<void> {
  await copyFile(current, out.entering)
  const header = await headerOf(current)
  await writeFile(out.exiting, header)
  await writeFile(out.changed, header)
  await writeFile(out.skipped, header)
}
