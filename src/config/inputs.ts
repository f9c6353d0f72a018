import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Defaults, Inputs, Regions } from './constants.js'
import { InputError } from '../errors.js'
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
import { parseBoolean, parseDurationInput, parseInteger, type Read } from './values.js'
import { isRequestId } from '../amplitude/job-status.js'
import type { Redactor } from '../runtime/secrets.js'
import type { Toolkit } from '../runtime/toolkit.js'

/** The settings every cohort of the step shares, validated. */
export interface StepSettings {
  /** The value of the Authorization header: `Basic base64(api_key:secret_key)`. */
  authorization: string
  includeProps: boolean
  propKeys: string[]
  /** API base URL without a trailing slash (may carry a path prefix, e.g. behind a proxy). */
  baseUrl: string
  pollIntervalMs: number
  /** The time an export may take, counted from step 1 (the request). */
  timeoutMs: number
  requestTimeoutMs: number
  uploadArtifact: boolean
  retentionDays?: number
  compressionLevel: number
  overwrite: boolean
  minMembers: number
  /** The header name of the column that identifies a member. */
  compareKey: string
  /** More exiting members than this fails the run; undefined for no limit. */
  maxExiting?: MaxExiting
  /** When the last delivered export is gone: fail, or make this run a full sync. */
  onMissingBaseline: OnMissingBaseline
  /** An export Amplitude already prepared, to resume without spending a cohort request (one cohort only). */
  requestId?: string
  /** On a re-run, use the export an earlier attempt of this run uploaded instead of exporting again. */
  reuseOnRerun: boolean
  /** The most cohort requests this workflow may spend in a calendar month (UTC); undefined for no limit. */
  monthlyRequestBudget?: number
  /** Check everything a real run needs, spending no cohort request and uploading nothing. */
  dryRun: boolean
}

/** One cohort's export, planned from the step's settings: its own file, artifact and baseline. */
export interface CohortJob extends StepSettings {
  cohortId: string
  /** Absolute path of this cohort's membership file. */
  path: string
  artifactName: string
  /** What this cohort's new file is compared against. */
  compareWith: CompareWith
}

// The characters @actions/artifact refuses in an artifact name.
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\r\n\\/]/
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

/** Each cohort's artifact name. With several cohorts, the name must hold `{cohort-id}` (each gets its own artifact). */
function parseArtifactName(read: Read, cohortId: string, several: boolean): (cohortId: string) => string {
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
  return id => name.split(COHORT_PLACEHOLDER).join(id)
}

/**
 * Each cohort's file: `path` made absolute (relative to the workspace); the default is `$RUNNER_TEMP/amplitude-cohort-<id>.csv`, or with
 * several cohorts the folder `$RUNNER_TEMP` (each cohort's file is `amplitude-cohort-<id>.csv` in it).
 */
function parsePath(
  read: Read,
  env: Toolkit['env'],
  cohortId: string,
  several: boolean
): (id: string) => string {
  const folder = (path: string) => (id: string) => join(path, cohortFileName(id))
  const given = read(Inputs.Path)
  if (several) {
    if (/\.csv$/i.test(given)) {
      throw new InputError(
        Inputs.Path,
        `must be a folder with several cohorts (each is written to amplitude-cohort-<id>.csv in it), got '${given}'`
      )
    }
    return folder(
      given ? resolve(env.GITHUB_WORKSPACE || process.cwd(), given) : resolve(env.RUNNER_TEMP || tmpdir())
    )
  } else if (/[\\/]$/.test(given)) {
    // A folder as Windows writes it too (`exports\`): refused on every runner, as it would be on Windows.
    throw new InputError(Inputs.Path, `must name a file, not a directory: '${given}'`)
  }
  if (!given) return () => resolve(env.RUNNER_TEMP || tmpdir(), cohortFileName(cohortId))
  // Relative to the workspace; an absolute path stays as it is.
  const file = resolve(env.GITHUB_WORKSPACE || process.cwd(), given)
  return () => file
}

/**
 * `monthly-request-budget`: the month is counted from the earlier exports that `compare-with: previous-run` looks
 * through (their manifests and artifacts); without it nothing earlier is seen, and a budget would not hold.
 */
function parseBudget(read: Read): number | undefined {
  const budget = parseInteger(read, Inputs.MonthlyRequestBudget, 0, 1_000_000)
  if (budget !== undefined && read(Inputs.CompareWith) !== 'previous-run') {
    throw new InputError(
      Inputs.MonthlyRequestBudget,
      `needs '${Inputs.CompareWith}: previous-run': the month's cohort requests are counted from the earlier ` +
        'exports it looks through (their manifests and artifacts), and without it none would be counted'
    )
  }
  return budget
}

function parseRequestId(read: Read, several: boolean): string | undefined {
  const value = read(Inputs.RequestId)
  if (value === '') return undefined
  if (several)
    throw new InputError(Inputs.RequestId, 'resumes one export: it cannot be given with several cohorts')
  if (!isRequestId(value)) {
    throw new InputError(
      Inputs.RequestId,
      `must be the plain request ID of an earlier export (letters, digits, '-' and '_'), got '${value.replace(/[^\x20-\x7e]/g, '?').slice(0, 80)}'`
    )
  }
  return value
}

/**
 * Reads and validates every input, without touching the network or the disk, and plans one job per cohort. The credentials are read first and
 * every form of them is masked (on the runner and in `redactor`) before anything can fail. Throws an InputError
 * naming the input on the first problem.
 */
export function readInputs(toolkit: Toolkit, redactor: Redactor): CohortJob[] {
  const read: Read = name => toolkit.getInput(name)
  const credentials = new Credentials(read, toolkit, redactor)
  const cohorts = parseCohortIds(read(Inputs.CohortId))
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
  const uploadArtifact = parseBoolean(read, Inputs.UploadArtifact, true)
  const artifactName = parseArtifactName(read, cohorts[0], several)
  const retentionDays = parseInteger(read, Inputs.RetentionDays, 1, 90)
  const compressionLevel = parseInteger(
    read,
    Inputs.CompressionLevel,
    0,
    9,
    Defaults.compressionLevel
  ) as number
  const overwrite = parseBoolean(read, Inputs.Overwrite, false)
  const minMembers = parseInteger(read, Inputs.MinMembers, 0, Number.MAX_SAFE_INTEGER, 0) as number
  const path = parsePath(read, toolkit.env, cohorts[0], several)
  const compareWith = parseCompareWith(read, toolkit.env, credentials.githubToken, several)
  const settings: StepSettings = {
    authorization,
    includeProps,
    propKeys,
    baseUrl,
    pollIntervalMs,
    timeoutMs,
    requestTimeoutMs,
    uploadArtifact,
    retentionDays,
    compressionLevel,
    overwrite,
    minMembers,
    compareKey: parseCompareKey(read),
    maxExiting: parseMaxExiting(read),
    onMissingBaseline: parseOnMissingBaseline(read),
    requestId: parseRequestId(read, several),
    reuseOnRerun: parseBoolean(read, Inputs.ReuseOnRerun, true),
    monthlyRequestBudget: parseBudget(read),
    dryRun: parseBoolean(read, Inputs.DryRun, false)
  }
  return cohorts.map(cohortId => ({
    ...settings,
    cohortId,
    path: path(cohortId),
    artifactName: artifactName(cohortId),
    compareWith: compareWith(cohortId)
  }))
}
