// The ways a run can end, one class per thing the user should do. Messages state facts (what was asked, what
// happened); `advice.ts` turns them into the final message, naming the inputs to change. None carries a secret.
import { formatBytes } from './report/format.js'

/** An input is missing or malformed: fix the workflow. Raised before any request is sent. */
export class InputError extends Error {
  constructor(input: string, message: string) {
    super(`Input '${input}' ${message}`)
    this.name = 'InputError'
  }
}

/** Amplitude refused the request (401/403: credentials; 404: nothing there; other 4xx): fix credentials or IDs. */
export class AmplitudeRefusedError extends Error {
  constructor(
    readonly status: number,
    /** What was asked for: `cohort 'abc'`, `export request 'req-1'`, … */
    readonly subject: string,
    /** The server's own words, redacted and shortened. */
    readonly detail: string
  ) {
    super(
      status === 401 || status === 403
        ? `Amplitude refused the credentials (HTTP ${status}: ${detail})`
        : status === 404
          ? `Amplitude found no ${subject} (HTTP 404: ${detail})`
          : `Amplitude answered HTTP ${status} for ${subject}: ${detail}`
    )
    this.name = 'AmplitudeRefusedError'
  }

  get reason(): 'credentials' | 'not-found' | 'other' {
    if (this.status === 401 || this.status === 403) return 'credentials'
    return this.status === 404 ? 'not-found' : 'other'
  }
}

/** A resumed export request (`request-id`) that Amplitude no longer knows: request a new export. */
export class UnknownRequestError extends Error {
  constructor(
    readonly requestId: string,
    readonly detail: string
  ) {
    super(`Amplitude no longer knows export request '${requestId}' (HTTP 404: ${detail})`)
    this.name = 'UnknownRequestError'
  }
}

/** Amplitude answered something the action cannot use (no request ID, a bad redirect): report it, retry later. */
export class UnexpectedResponseError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UnexpectedResponseError'
  }
}

/** Amplitude reported that the export job failed: check the cohort in Amplitude. */
export class JobFailedError extends Error {
  constructor(
    readonly raw: string,
    readonly elapsed: string
  ) {
    super(`Amplitude reported that the export job failed (${raw}) after ${elapsed}.`)
    this.name = 'JobFailedError'
  }
}

/** The export job did not complete in time: raise the time limit. */
export class JobTimeoutError extends Error {
  constructor(
    readonly limit: string,
    /** `'computing' (JOB INPROGRESS)` or `'none'`. */
    readonly lastStatus: string,
    readonly waited: string,
    readonly polls: number
  ) {
    super(
      `the export job did not complete within ${limit}: last status ${lastStatus} after ${waited} and ${polls} ` +
        'status requests'
    )
    this.name = 'JobTimeoutError'
  }
}

/** A request or download kept failing for reasons that retrying could fix, and the retries ran out. */
export class GaveUpError extends Error {
  constructor(
    /** What was retried: `'download'` or `'request'`. */
    readonly operation: 'download' | 'request',
    readonly cause: Error,
    readonly attempts: number,
    /** Why no further attempt was made. */
    readonly reason: 'attempts' | 'deadline' | 'wait-too-long',
    readonly waitMs = 0
  ) {
    super(`${cause.message}; gave up after ${attempts} attempts (${reason})`)
    this.name = 'GaveUpError'
  }
}

/** The downloaded membership has fewer members than required: check the cohort before importing it. */
export class TooFewMembersError extends Error {
  constructor(
    readonly members: number,
    readonly minimum: number
  ) {
    super(`the cohort file has ${members} members, fewer than the minimum (${minimum})`)
    this.name = 'TooFewMembersError'
  }
}

/** The file could not be written (disk full, permissions): fix the runner's disk or `path`. Never retried. */
export class WriteError extends Error {
  constructor(readonly code: string) {
    super(`could not write the file: ${code}`)
    this.name = 'WriteError'
  }
}

/** The artifact could not be delivered: a name already taken in this run, or the upload failed. */
export class ArtifactError extends Error {
  constructor(
    message: string,
    /** Set when the name is taken: the fix is another name or `overwrite`. */
    readonly conflict?: string
  ) {
    super(message)
    this.name = 'ArtifactError'
  }
}

/**
 * A cohort request would pass the monthly request budget, so it was not sent: wait for the next month, raise the
 * budget, or resume an export already requested.
 */
export class RequestBudgetError extends Error {
  constructor(
    /** The cohort requests this workflow has spent this month, as far as it can see them. */
    readonly spent: number,
    readonly budget: number,
    /** `December 2026` (UTC). */
    readonly month: string,
    /** The first day of the next month, `2027-01-01`: when the count starts again. */
    readonly resetsOn: string
  ) {
    super(
      `a cohort request would pass the monthly budget: ${spent} of ${budget} spent by this workflow in ${month}`
    )
    this.name = 'RequestBudgetError'
  }
}

/** A dry run found no cohort of that ID in the project's list of cohorts: check the ID and the region. */
export class CohortNotFoundError extends Error {
  constructor(readonly cohortId: string) {
    super(`Amplitude found no cohort '${cohortId}' among the project's cohorts`)
    this.name = 'CohortNotFoundError'
  }
}

/** A dry run found the cohort archived in Amplitude: unarchive it, or stop exporting it. */
export class CohortArchivedError extends Error {
  constructor(
    readonly cohortId: string,
    /** Amplitude's name for it (server text: shown escaped in the summary, never as a command). */
    readonly cohortName: string | null
  ) {
    super(`Amplitude's cohort '${cohortId}'${cohortName === null ? '' : ` (${cohortName})`} is archived`)
    this.name = 'CohortArchivedError'
  }
}

/** A dry run found the cohort smaller than `min-members` when Amplitude last computed it. */
export class CohortTooSmallError extends Error {
  constructor(
    readonly cohortId: string,
    readonly size: number,
    readonly minimum: number
  ) {
    super(`cohort '${cohortId}' has ${size} members when Amplitude last computed it`)
    this.name = 'CohortTooSmallError'
  }
}

/** The run was cancelled (SIGINT/SIGTERM from the runner). */
export class CancelledError extends Error {
  constructor(reason = 'the run was cancelled') {
    super(reason)
    this.name = 'CancelledError'
  }
}

/** An earlier export exists but cannot be used: comparing against it would give a wrong delta. */
export class BaselineError extends Error {
  constructor(
    /** `file` or the run ID. */
    readonly source: string,
    /** Why, as a clause: `its manifest is not valid JSON (cut short or damaged)`. */
    readonly reason: string,
    /** Its download failed after retries (the storage host, GitHub's limits): a later run may get it. */
    readonly temporary = false
  ) {
    super(
      `${source === 'file' ? 'The baseline file' : `The baseline export from run ${source}`} cannot be used: ${reason}`
    )
    this.name = 'BaselineError'
  }
}

/**
 * The last delivered export is gone (its artifact expired or was deleted, or the baseline file does not exist):
 * without it, who left cannot be known. Recover with one full sync.
 */
export class BaselineGoneError extends Error {
  constructor(
    /** What is gone: `the export of run 123 (2026-11-01T02:00:00Z), expired`, `'last.csv' does not exist`. */
    readonly what: string,
    /** A path baseline: a first run has none yet. */
    readonly file: boolean
  ) {
    super(`The baseline is gone: ${what}`)
    this.name = 'BaselineGoneError'
  }
}

/** GitHub refused the token (401/403), or knows no such repository (404). */
export class GitHubAccessError extends Error {
  constructor(
    readonly status: number,
    detail: string
  ) {
    super(`GitHub answered HTTP ${status} (${detail})`)
    this.name = 'GitHubAccessError'
  }
}

/** GitHub's API rate limit held longer than the run may wait: try again later. */
export class GitHubRateLimitError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    /** The wait GitHub asked for, in ms. */
    readonly waitMs: number
  ) {
    super(`GitHub's API rate limit was reached (HTTP ${status}: ${detail})`)
    this.name = 'GitHubRateLimitError'
  }
}

/** Retry this: a failure that a fresh attempt may fix (a dropped connection, 429/5xx, a stall). Never final. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number
  ) {
    super(message)
    this.name = 'TransientError'
  }
}

/**
 * A CSV record longer than the longest allowed (64 MiB): no membership file has one, and reading it on would grow a
 * buffer without bound (a small gzip file can inflate to a single record of gigabytes).
 */
export class RecordTooLargeError extends Error {
  constructor(
    readonly file: 'baseline' | 'current',
    /** The longest record allowed, in bytes. */
    readonly limit: number
  ) {
    super(
      `the ${file === 'baseline' ? 'baseline' : 'new'} file has a CSV record over ${formatBytes(limit)}, longer than ` +
        'any membership row'
    )
    this.name = 'RecordTooLargeError'
  }
}

/** A file has no column of that name. */
export class MissingKeyColumnError extends Error {
  constructor(
    readonly file: 'baseline' | 'current',
    readonly key: string,
    /** The file's columns (none for an empty file). */
    readonly columns: string[]
  ) {
    super(`the ${file === 'baseline' ? 'baseline' : 'new'} file has no column '${key}'`)
    this.name = 'MissingKeyColumnError'
  }
}

/** More members would exit than `max-exiting` allows: most likely a broken cohort definition, not real churn. */
export class MassExitError extends Error {
  constructor(
    readonly exiting: number,
    /** The limit as given: `50`, or `5% (50 of 1000)`. */
    readonly limit: string,
    readonly baselineMembers: number
  ) {
    super(
      `${exiting} of the baseline's ${baselineMembers} members would exit, more than the limit of ${limit}`
    )
    this.name = 'MassExitError'
  }
}

/** Retry this download: the body is not a complete, valid membership file. Never final. */
export class InvalidFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidFileError'
  }
}

/** The message of anything thrown, as a string. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
