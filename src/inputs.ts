import { tmpdir } from 'node:os'
import { resolve } from 'node:path'
import { Defaults, Inputs, Regions } from './constants.js'
import { parseDuration } from './duration.js'
import { InputError } from './errors.js'
import { COHORT_PLACEHOLDER, cohortFileName, parseCohortIds } from './cohorts.js'
import {
  type CompareWith,
  type MaxExiting,
  type OnMissingBaseline,
  parseCompareKey,
  parseCompareWith,
  parseMaxExiting,
  parseOnMissingBaseline
} from './compare-inputs.js'
import { Credentials } from './credentials.js'
import type { Redactor } from './secrets.js'
import type { Toolkit } from './toolkit.js'

export interface ActionInputs {
  /** The cohort (the first one when several are given). */
  cohortId: string
  /** Every cohort given; with more than one, `path` and a `compare-with` path are folders. */
  cohorts: string[]
  /** The value of the Authorization header: `Basic base64(api_key:secret_key)`. */
  authorization: string
  includeProps: boolean
  propKeys: string[]
  /** API base URL without a trailing slash (may carry a path prefix, e.g. behind a proxy). */
  baseUrl: string
  pollIntervalMs: number
  timeoutMs: number
  requestTimeoutMs: number
  /** Absolute path of the membership file. */
  path: string
  uploadArtifact: boolean
  artifactName: string
  retentionDays?: number
  compressionLevel: number
  overwrite: boolean
  minMembers: number
  /** What to compare the new file against. */
  compareWith: CompareWith
  /** The header name of the column that identifies a member. */
  compareKey: string
  /** More exiting members than this fails the run; undefined for no limit. */
  maxExiting?: MaxExiting
  /** When the last delivered export is gone: fail, or make this run a full sync. */
  onMissingBaseline: OnMissingBaseline
  /** An export Amplitude already prepared, to resume without spending a cohort request. */
  requestId?: string
  /** On a re-run, use the export an earlier attempt of this run uploaded instead of exporting again. */
  reuseOnRerun: boolean
  /** The most cohort requests this workflow may spend in a calendar month (UTC); undefined for no limit. */
  monthlyRequestBudget?: number
  /** Check everything a real run needs, spending no cohort request and uploading nothing. */
  dryRun: boolean
}

// The characters @actions/artifact refuses in an artifact name.
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\r\n\\/]/
// The longest a Node.js timer can wait (about 24.8 days): a longer duration would fire at once instead.
const MAX_DURATION_MS = 2 ** 31 - 1

/** Reads one input, trimmed ('' when not set). */
export type Read = (name: string) => string

/** `true`/`false`/`1`/`0` (any case); empty gives the default. */
function parseBoolean(read: Read, name: string, fallback: boolean): boolean {
  const value = read(name).toLowerCase()
  if (value === '') return fallback
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new InputError(name, `must be 'true' or 'false' (or 1/0), got '${read(name)}'`)
}

function parseInteger(
  read: Read,
  name: string,
  min: number,
  max: number,
  fallback?: number
): number | undefined {
  const value = read(name)
  if (value === '') return fallback
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(name, `must be a whole number from ${min} to ${max}, got '${value}'`)
  }
  return Number(value)
}

function parseDurationInput(read: Read, name: string, fallback: string, minMs: number): number {
  const value = read(name) || fallback
  const ms = parseDuration(value)
  if (ms === undefined) {
    throw new InputError(
      name,
      `must be a duration such as 250ms, 5s, 2m or 1h30m (or a number of seconds), got '${value}'`
    )
  }
  if (ms < minMs) throw new InputError(name, `must be at least ${minMs}ms, got '${value}'`)
  if (ms > MAX_DURATION_MS) throw new InputError(name, `must be at most 596h, got '${value}'`)
  return ms
}

function parseBaseUrl(read: Read): string {
  const serverUrl = read(Inputs.ServerUrl)
  const region = read(Inputs.Region).toLowerCase() || 'us'
  // Own keys only: `region in Regions` would accept 'constructor' or '__proto__'.
  if (!Object.hasOwn(Regions, region)) {
    throw new InputError(Inputs.Region, `must be 'us' or 'eu', got '${read(Inputs.Region)}'`)
  }
  if (!serverUrl) return Regions[region as keyof typeof Regions]
  let url: URL
  try {
    url = new URL(serverUrl)
  } catch {
    throw new InputError(Inputs.ServerUrl, `must be an absolute http(s) URL such as https://amplitude.com`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(Inputs.ServerUrl, `must use http or https, got '${url.protocol}'`)
  }
  if (url.username || url.password) {
    throw new InputError(Inputs.ServerUrl, `must not carry credentials: use 'api-key' and 'secret-key'`)
  }
  if (url.search || url.hash) throw new InputError(Inputs.ServerUrl, 'must not have a query or fragment')
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

function parsePropKeys(read: Read): string[] {
  const raw = read(Inputs.PropKeys)
  if (raw === '') return []
  const items = raw.split(/[,\n]/).map(s => s.trim())
  // A trailing newline or comma is harmless; an empty item in the middle ("a,,b") is most likely a mistake.
  while (items.length > 0 && items[items.length - 1] === '') items.pop()
  if (items.length === 0 || items.some(s => s === '')) {
    throw new InputError(
      Inputs.PropKeys,
      'has an empty item: separate property names with single commas or newlines'
    )
  }
  const bad = items.find(s => [...s].some(c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
  if (bad !== undefined) throw new InputError(Inputs.PropKeys, 'must not contain control characters')
  return [...new Set(items)]
}

/** With several cohorts, the name must hold `{cohort-id}` (each cohort gets its own artifact). */
function parseArtifactName(read: Read, cohortId: string, several: boolean): string {
  const given = read(Inputs.ArtifactName)
  if (several && given && !given.includes(COHORT_PLACEHOLDER)) {
    throw new InputError(
      Inputs.ArtifactName,
      `must contain '${COHORT_PLACEHOLDER}' with several cohorts (each gets its own artifact), got '${given.replace(/[\r\n]/g, ' ')}'`
    )
  }
  const name = given
    ? several
      ? given
      : given.split(COHORT_PLACEHOLDER).join(cohortId)
    : `amplitude-cohort-${several ? COHORT_PLACEHOLDER : cohortId}`
  if (ARTIFACT_NAME_FORBIDDEN.test(name)) {
    throw new InputError(
      Inputs.ArtifactName,
      `must not contain any of " : < > | * ? \\ / or line breaks, got '${name.replace(/[\r\n]/g, ' ')}'`
    )
  }
  return name
}

/**
 * `path` made absolute (relative to the workspace); the default is `$RUNNER_TEMP/amplitude-cohort-<id>.csv`, or with
 * several cohorts the folder `$RUNNER_TEMP` (each cohort's file is `amplitude-cohort-<id>.csv` in it).
 */
function parsePath(read: Read, env: Toolkit['env'], cohortId: string, several: boolean): string {
  const given = read(Inputs.Path)
  if (several) {
    if (/\.csv$/i.test(given)) {
      throw new InputError(
        Inputs.Path,
        `must be a folder with several cohorts (each is written to amplitude-cohort-<id>.csv in it), got '${given}'`
      )
    }
    if (!given) return resolve(env.RUNNER_TEMP || tmpdir())
  } else if (/[\\/]$/.test(given)) {
    // A folder as Windows writes it too (`exports\`): refused on every runner, as it would be on Windows.
    throw new InputError(Inputs.Path, `must name a file, not a directory: '${given}'`)
  }
  if (!given) return resolve(env.RUNNER_TEMP || tmpdir(), cohortFileName(cohortId))
  // Relative to the workspace; an absolute path stays as it is.
  return resolve(env.GITHUB_WORKSPACE || process.cwd(), given)
}

function parseRequestId(read: Read, several: boolean): string | undefined {
  const value = read(Inputs.RequestId)
  if (value === '') return undefined
  if (several)
    throw new InputError(Inputs.RequestId, 'resumes one export: it cannot be given with several cohorts')
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) {
    throw new InputError(
      Inputs.RequestId,
      `must be the plain request ID of an earlier export (letters, digits, '-' and '_'), got '${value.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}'`
    )
  }
  return value
}

/**
 * Reads and validates every input, without touching the network or the disk. The credentials are read first and
 * every form of them is masked (on the runner and in `redactor`) before anything can fail. Throws an InputError
 * naming the input on the first problem.
 */
export function readInputs(toolkit: Toolkit, redactor: Redactor): ActionInputs {
  const read: Read = name => toolkit.getInput(name)
  const credentials = new Credentials(read, toolkit, redactor)
  const cohorts = parseCohortIds(read(Inputs.CohortId))
  const cohortId = cohorts[0]
  const several = cohorts.length > 1
  const authorization = credentials.authorization()
  const propKeys = parsePropKeys(read)
  const includeProps = parseBoolean(read, Inputs.IncludeProps, false) || propKeys.length > 0
  const baseUrl = parseBaseUrl(read)
  const pollIntervalMs = parseDurationInput(read, Inputs.PollInterval, Defaults.pollInterval, 100)
  const timeoutMs = parseDurationInput(read, Inputs.Timeout, Defaults.timeout, 1000)
  const requestTimeoutMs = parseDurationInput(read, Inputs.RequestTimeout, Defaults.requestTimeout, 100)
  if (pollIntervalMs > timeoutMs) {
    throw new InputError(
      Inputs.PollInterval,
      `(${read(Inputs.PollInterval)}) must not exceed '${Inputs.Timeout}'`
    )
  }
  return {
    cohortId,
    cohorts,
    authorization,
    includeProps,
    propKeys,
    baseUrl,
    pollIntervalMs,
    timeoutMs,
    requestTimeoutMs,
    uploadArtifact: parseBoolean(read, Inputs.UploadArtifact, true),
    artifactName: parseArtifactName(read, cohortId, several),
    retentionDays: parseInteger(read, Inputs.RetentionDays, 1, 90),
    compressionLevel: parseInteger(read, Inputs.CompressionLevel, 0, 9, Defaults.compressionLevel) as number,
    overwrite: parseBoolean(read, Inputs.Overwrite, false),
    minMembers: parseInteger(read, Inputs.MinMembers, 0, Number.MAX_SAFE_INTEGER, 0) as number,
    path: parsePath(read, toolkit.env, cohortId, several),
    compareWith: parseCompareWith(read, toolkit.env, credentials.githubToken),
    compareKey: parseCompareKey(read),
    maxExiting: parseMaxExiting(read),
    onMissingBaseline: parseOnMissingBaseline(read),
    requestId: parseRequestId(read, several),
    reuseOnRerun: parseBoolean(read, Inputs.ReuseOnRerun, true),
    monthlyRequestBudget: parseInteger(read, Inputs.MonthlyRequestBudget, 0, 1_000_000),
    dryRun: parseBoolean(read, Inputs.DryRun, false)
  }
}
