// Reads Amplitude's list of cohorts (`GET /api/3/cohorts`, `{"cohorts": [COHORT_OBJECT, …]}`), keeping what a dry run
// checks and shows. Amplitude documents the fields loosely ("timestamp"; `appId` an integer in one page and a string in
// another), so every field is read tolerantly: an odd or missing field becomes null, never an error. Only an answer
// that is not a list of cohorts at all is an UnexpectedResponseError.
//
// Wiring: `AmplitudeClient.listCohorts()` returns this; a dry run looks each configured cohort up by `id`.
import { UnexpectedResponseError } from '../errors.js'

export interface CohortInfo {
  /** Amplitude's cohort ID, as `cohort-id` takes it. */
  id: string
  /** The name given in Amplitude: server text, shown escaped; control characters already replaced by spaces. */
  name: string | null
  /** Members at the last computation. */
  size: number | null
  /** When the cohort was last computed, epoch ms. Amplitude's samples give epoch seconds; values above 1e12 are ms. */
  lastComputed: number | null
  /** Only a literal `true` counts as archived. */
  archived: boolean
}

/** Longest name kept: names are for people, and a summary row should stay a row. */
const MAX_NAME = 200
/** Epoch values above this are milliseconds (1e12 ms is 2001; 1e12 s is the year 33658). */
const MS_THRESHOLD = 1e12

/** The cohorts of a parsed answer; entries that are not objects or have no usable `id` are left out. */
export function parseCohortList(body: unknown): CohortInfo[] {
  const list =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).cohorts : undefined
  if (!Array.isArray(list)) {
    throw new UnexpectedResponseError("Amplitude's list of cohorts has no 'cohorts' array")
  }
  const cohorts: CohortInfo[] = []
  for (const item of list) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) continue
    const entry = item as Record<string, unknown>
    const id = identifier(entry.id)
    if (id === undefined) continue
    cohorts.push({
      id,
      name: name(entry.name),
      size: count(entry.size),
      lastComputed: epochMs(entry.lastComputed),
      archived: entry.archived === true
    })
  }
  return cohorts
}

function identifier(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** Control characters (line breaks too) become spaces, so a name can never start a log line of its own. */
function name(value: unknown): string | null {
  if (typeof value !== 'string') return null
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim()
  if (clean === '') return null
  const chars = Array.from(clean)
  return chars.length > MAX_NAME ? `${chars.slice(0, MAX_NAME - 1).join('')}…` : clean
}

function count(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null
}

/** Epoch seconds or ms (a number or a string of digits), or an ISO 8601 date; null for anything else. */
function epochMs(value: unknown): number | null {
  if (typeof value === 'string' && !/^\d+(\.\d+)?$/.test(value)) {
    const parsed = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN
    return Number.isFinite(parsed) && parsed > 0 ? parsed : null
  }
  const n = typeof value === 'string' ? Number(value) : value
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return null
  const ms = n > MS_THRESHOLD ? n : n * 1000
  // Past year 9999, Date cannot show it.
  return ms <= 253402300799999 ? Math.round(ms) : null
}
