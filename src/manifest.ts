import { basename, dirname, join } from 'node:path'
import type { HistoryEntry } from './history.js'

/**
 * `<name>.json` beside the membership file and in the artifact: what was exported, so that the next run can check the
 * file it compares against and carry the history forward.
 */
export interface Manifest {
  version: 1
  cohortId: string
  requestId: string
  finalStatus: string
  /** ISO 8601, UTC. */
  exportedAt: string
  /** The membership file's name (in the artifact and beside the manifest). */
  file: string
  memberCount: number
  bytes: number
  sha256: string
  columns: string[]
  includeProps: boolean
  propKeys: string[]
  /** `none`, `file`, or the ID of the run whose export was compared against. */
  baseline: string
  /** true: no baseline was used, the importer replaces the whole list; null when `compare-with` is `none`. */
  fullSync: boolean | null
  enteringCount: number | null
  exitingCount: number | null
  changedCount: number | null
  /** The rows of this file that cannot be matched (empty or repeated keys), in `<name>.skipped.csv`. */
  skippedCount: number | null
  /** Up to the last 30 exports of this cohort, oldest first, this one last: carried from manifest to manifest. */
  history: HistoryEntry[]
}

/** The files beside the membership file: `<name>.entering.csv` … and `<name>.json`. */
export function siblings(path: string): {
  manifest: string
  entering: string
  exiting: string
  changed: string
  skipped: string
} {
  const name = basename(path).replace(/\.csv$/i, '')
  const at = (suffix: string): string => join(dirname(path), `${name}${suffix}`)
  return {
    manifest: at('.json'),
    entering: at('.entering.csv'),
    exiting: at('.exiting.csv'),
    changed: at('.changed.csv'),
    skipped: at('.skipped.csv')
  }
}

/** Reads a manifest's text; returns undefined when it is not one (another JSON file, another version). */
export function parseManifest(text: string): Manifest | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const m = value as Record<string, unknown>
  const valid =
    m.version === 1 &&
    typeof m.file === 'string' &&
    m.file !== '' &&
    basename(m.file) === m.file &&
    typeof m.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(m.sha256) &&
    typeof m.memberCount === 'number' &&
    Array.isArray(m.columns)
  return valid ? (m as unknown as Manifest) : undefined
}
