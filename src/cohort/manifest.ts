import { basename, dirname, join } from 'node:path'
import type { Membership } from '../amplitude/download.js'
import { BaselineError } from '../errors.js'
import { type ChangeCounts, changeCounts, type ChangeReport } from './changes.js'
import { type HistoryEntry, readHistory } from '../report/history.js'

/**
 * `<name>.json` beside the membership file and in the artifact: what was exported, so that the next run can check the
 * file it compares against and carry the history forward.
 */
export interface Manifest extends ChangeCounts {
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

/**
 * Reads a manifest's text, checking every field a later run relies on; throws BaselineError naming `source` when it
 * is not valid JSON or a field is missing or malformed (a damaged manifest makes its export unusable).
 */
export function readManifest(text: string, source: string): Manifest {
  const fail = (reason: string): BaselineError => new BaselineError(source, `its manifest ${reason}`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw fail('is not valid JSON (cut short or damaged)')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('is not a JSON object')
  const m = value as Record<string, unknown>
  if (m.version !== 1) throw fail(`has version ${JSON.stringify(m.version)}, not 1`)
  const problem = FIELDS.find(([name, valid]) => !valid(m[name]))
  if (problem) throw fail(`has no valid '${problem[0]}'`)
  return { ...(m as unknown as Manifest), history: readHistory(m.history) }
}

const isText = (v: unknown): boolean => typeof v === 'string'
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
const isCountOrNull = (v: unknown): boolean => v === null || v === undefined || isCount(v)
const isTexts = (v: unknown): boolean => Array.isArray(v) && v.every(isText)

/** The fields a manifest must have, each with its check. */
const FIELDS: [keyof Manifest, (value: unknown) => boolean][] = [
  ['file', v => typeof v === 'string' && v !== '' && basename(v) === v && v !== '..'],
  ['sha256', v => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)],
  ['bytes', isCount],
  ['columns', isTexts],
  ['memberCount', isCount],
  ['cohortId', isText],
  ['requestId', isText],
  ['exportedAt', isText],
  ['includeProps', v => typeof v === 'boolean'],
  ['propKeys', isTexts],
  ['enteringCount', isCountOrNull],
  ['exitingCount', isCountOrNull],
  ['changedCount', isCountOrNull]
]

/** What the manifest records of the export itself. */
export type ExportFacts = { cohortId: string; requestId: string; finalStatus: string; exportedAt: string }

/** The manifest of this export: what it was, what changed, and the history so far. */
export function manifestOf(
  facts: ExportFacts,
  membership: Membership,
  columns: string[],
  inputs: { includeProps: boolean; propKeys: string[] },
  report: ChangeReport
): Manifest {
  return {
    version: 1,
    cohortId: facts.cohortId,
    requestId: facts.requestId,
    finalStatus: facts.finalStatus,
    exportedAt: facts.exportedAt,
    file: basename(membership.path),
    memberCount: membership.members,
    bytes: membership.bytes,
    sha256: membership.sha256,
    columns,
    includeProps: inputs.includeProps,
    propKeys: inputs.propKeys,
    ...changeCounts(report),
    history: report.history
  }
}
