import { copyFile, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BufferedWriter, KeyTable, readBucket, sameRow } from './buckets.js'
import { addToRun, mergeRuns } from './change-runs.js'
import { headerOf } from './csv.js'
import { spreadBoth } from './spread.js'

export { MissingKeyColumnError } from './spread.js'

/**
 * What changed between two membership files, matched by a key column, without holding either file in memory: both
 * files are spread over bucket files by a hash of the key; each bucket's baseline is indexed in memory (an
 * open-addressing table of offsets: no string per row) and matched against the same bucket of the new file; a last
 * pass over each source copies the entering, changed and exiting rows, byte for byte and in source order, into the
 * change files. Memory: about two buckets and a byte per row.
 */
export interface ChangeFiles {
  entering: string
  exiting: string
  changed: string
}

export interface Comparison {
  entering: number
  exiting: number
  /** null when the two files' columns differ (no changed file is written then). */
  changed: number | null
  columnsDiffer: boolean
  /** Distinct non-empty keys in the baseline: the base of a `max-exiting` percentage. */
  baselineMembers: number
  emptyKeys: { baseline: number; current: number }
  duplicateKeys: { baseline: number; current: number }
}

const BUCKET_BYTES = 16 << 20

/** Compares `current` against `baseline` by the column `key`; writes the change files (`workDir` for scratch). */
export async function compareMemberships(
  current: string,
  baseline: string,
  key: string,
  out: ChangeFiles,
  workDir: string
): Promise<Comparison> {
  const sizes = (await stat(current)).size + (await stat(baseline)).size
  const count = Math.min(256, Math.max(1, Math.ceil(sizes / BUCKET_BYTES)))
  const dir = await mkdtemp(join(workDir, '.compare-'))
  const partial = {
    entering: `${out.entering}.partial`,
    exiting: `${out.exiting}.partial`,
    changed: `${out.changed}.partial`
  }
  try {
    // Both files at once (the baseline in a worker thread where there is one): the new file's errors come first,
    // so when neither has the key column, the error is about the input, not the baseline.
    const [next, base] = await spreadBoth(
      { path: current, file: 'current', key, dir, name: 'c', count },
      { path: baseline, file: 'baseline', key, dir, name: 'b', count }
    )
    const columnsDiffer = base.columns.join('\u0000') !== next.columns.join('\u0000')
    const result: Comparison = {
      entering: 0,
      exiting: 0,
      changed: columnsDiffer ? null : 0,
      columnsDiffer,
      baselineMembers: 0,
      emptyKeys: { baseline: base.emptyKeys, current: next.emptyKeys },
      duplicateKeys: { baseline: 0, current: 0 }
    }
    const run = (kind: string, b: number): string => join(dir, `${kind}${b}`)
    let oldBuffer: Buffer = Buffer.allocUnsafe(0)
    let newBuffer: Buffer = Buffer.allocUnsafe(0)
    for (let b = 0; b < count; b++) {
      const old = readBucket(join(dir, `b${b}`), oldBuffer)
      oldBuffer = old.data
      const table = new KeyTable(old)
      // Each baseline record's slot; -1 for a later occurrence of a key (the first one wins).
      const slots = new Int32Array(old.count)
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
      const now = readBucket(join(dir, `c${b}`), newBuffer)
      newBuffer = now.data
      const enteringRun = new BufferedWriter(run('e', b))
      const changedRun = new BufferedWriter(run('k', b))
      const exitingRun = new BufferedWriter(run('x', b))
      // Keys of the new file that the baseline does not have, to find their duplicates.
      const entering = new KeyTable(now)
      for (let j = 0; j < now.count; j++) {
        const slot = table.find(now, j)
        const match = table.record(slot)
        if (match < 0) {
          const own = entering.find(now, j)
          if (entering.record(own) >= 0) {
            result.duplicateKeys.current++
            continue
          }
          entering.set(own, j)
          addToRun(enteringRun, now, j)
          result.entering++
          continue
        }
        if (table.matched[slot]) {
          result.duplicateKeys.current++
          continue
        }
        table.matched[slot] = 1
        if (!columnsDiffer && !sameRow(old, match, now, j)) {
          addToRun(changedRun, now, j)
          ;(result.changed as number)++
        }
      }
      // In the baseline's order: the exiting file keeps its source's order.
      for (let i = 0; i < old.count; i++) {
        if (slots[i] < 0) continue
        result.baselineMembers++
        if (table.matched[slots[i]]) continue
        addToRun(exitingRun, old, i)
        result.exiting++
      }
      for (const writer of [enteringRun, changedRun, exitingRun]) writer.close()
    }
    const runs = (kind: string): string[] => Array.from({ length: count }, (_, b) => run(kind, b))
    mergeRuns(runs('e'), partial.entering, next.header)
    if (!columnsDiffer) mergeRuns(runs('k'), partial.changed, next.header)
    mergeRuns(runs('x'), partial.exiting, base.header)
    await rename(partial.entering, out.entering)
    await rename(partial.exiting, out.exiting)
    if (columnsDiffer) await rm(out.changed, { force: true })
    else await rename(partial.changed, out.changed)
    return result
  } finally {
    await rm(dir, { recursive: true, force: true })
    for (const file of Object.values(partial)) await rm(file, { force: true })
  }
}

/**
 * No baseline: as Amplitude's first sync, every member is entering: the entering file is the membership file, the
 * exiting and changed files hold its header only.
 */
export async function firstExport(current: string, out: ChangeFiles): Promise<void> {
  await copyFile(current, out.entering)
  const header = await headerOf(current)
  await writeFile(out.exiting, header)
  await writeFile(out.changed, header)
}
