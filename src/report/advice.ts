// The edge where facts become advice: the message a failed run ends with, naming the inputs to change. The modules
// below only state what happened.
import { Inputs } from '../config/constants.js'
import {
  AmplitudeRefusedError,
  ArtifactError,
  BaselineError,
  BaselineGoneError,
  CohortArchivedError,
  CohortNotFoundError,
  CohortTooSmallError,
  GitHubAccessError,
  GitHubRateLimitError,
  GaveUpError,
  JobFailedError,
  JobTimeoutError,
  MassExitError,
  messageOf,
  RequestBudgetError,
  UnknownRequestError,
  TooFewMembersError,
  WriteError
} from '../errors.js'
import { formatDuration } from './format.js'

/** The message a run ends with: what happened, and the inputs to change when one would help. */
export function describeFailure(error: unknown): string {
  return exportAdvice(error) ?? comparisonAdvice(error) ?? messageOf(error)
}

/** The export's failures: Amplitude's answers, the job, the budget, the file. */
function exportAdvice(error: unknown): string | undefined {
  if (error instanceof AmplitudeRefusedError) {
    if (error.reason === 'credentials') {
      return (
        `${error.message}. Check that '${Inputs.ApiKey}' and '${Inputs.SecretKey}' (or '${Inputs.BasicAuth}') ` +
        `belong to the project that owns the cohort, and that '${Inputs.Region}' matches it (EU projects use 'eu').`
      )
    }
    if (error.reason === 'not-found')
      return `${error.message}. Check '${Inputs.CohortId}' and '${Inputs.Region}'.`
    return error.message
  }
  if (error instanceof UnknownRequestError) {
    return `${error.message}: an export's file is kept for seven days. Remove '${Inputs.RequestId}' to request a new export.`
  }
  if (error instanceof JobFailedError) {
    return `${error.message} Check the cohort in Amplitude and re-run; each run spends one of the monthly cohort requests.`
  }
  if (error instanceof JobTimeoutError) {
    return (
      `the export job did not complete within '${Inputs.Timeout}' (${error.limit}): last status ${error.lastStatus} ` +
      `after ${error.waited} and ${error.polls} status requests. Large cohorts can take several minutes: raise ` +
      `'${Inputs.Timeout}' if this repeats.`
    )
  }
  if (error instanceof GaveUpError) return describeGiveUp(error)
  if (error instanceof RequestBudgetError) {
    const input = Inputs.MonthlyRequestBudget
    return (
      `${error.message} (UTC), so it was not sent ('${input}': ${error.budget}). To go on: wait until ` +
      `${error.resetsOn}, when the count starts again; raise '${input}'; or resume an export already requested ` +
      `with '${Inputs.RequestId}', which spends no cohort request.`
    )
  }
  if (error instanceof CohortNotFoundError)
    return `${error.message}. Check '${Inputs.CohortId}' and '${Inputs.Region}'.`
  if (error instanceof CohortArchivedError) {
    return (
      `${error.message}: its export would be a list nobody keeps up to date. Unarchive it in Amplitude, or remove ` +
      `it from '${Inputs.CohortId}'.`
    )
  }
  if (error instanceof CohortTooSmallError) {
    return (
      `${error.message}, fewer than '${Inputs.MinMembers}' (${error.minimum}): a real run would spend a cohort ` +
      `request and then refuse the file. Check the cohort in Amplitude, or lower '${Inputs.MinMembers}'.`
    )
  }
  if (error instanceof TooFewMembersError) {
    return (
      `the cohort file has ${error.members} members, fewer than '${Inputs.MinMembers}' (${error.minimum}); not ` +
      'keeping it, so downstream jobs never import a broken or empty cohort'
    )
  }
  return undefined
}

/** The comparison's and delivery's failures: GitHub, the baseline, the change limit, the disk, the artifact. */
function comparisonAdvice(error: unknown): string | undefined {
  if (error instanceof GitHubAccessError) {
    return (
      `Input '${Inputs.GithubToken}' cannot read this repository's workflow runs and artifacts (${error.message}): ` +
      `'${Inputs.CompareWith}: previous-run' needs a token with the 'actions: read' permission (add ` +
      "'permissions: actions: read' to the job, or pass a token that has it)."
    )
  }
  if (error instanceof GitHubRateLimitError) {
    return (
      `${error.message}, and it asked to wait ${formatDuration(error.waitMs)}, longer than '${Inputs.Timeout}' ` +
      'leaves: no cohort request was spent. Re-run later, or give the step a token of its own with a higher limit ' +
      `as '${Inputs.GithubToken}'.`
    )
  }
  if (error instanceof BaselineGoneError) {
    const cause = error.file
      ? `Without it, who left cannot be known. A first run has no baseline file yet: set '${Inputs.OnMissingBaseline}: full' for it.`
      : 'Without it, who left since cannot be known (an outage longer than the retention days?).'
    return (
      `${error.message}. ${cause} To recover, set '${Inputs.OnMissingBaseline}: full' for one run: it delivers ` +
      `the whole list with fullSync 'true', which the import must apply as a full replacement of 'cohortFile'. ` +
      'No cohort request was spent.'
    )
  }
  if (error instanceof MassExitError) {
    return (
      `${error.message} ('${Inputs.MaxExiting}'): nothing was uploaded, so a broken cohort definition never empties a ` +
      `downstream list. Check the cohort in Amplitude; if the change is real, raise '${Inputs.MaxExiting}' for this run.`
    )
  }
  if (error instanceof BaselineError) {
    const recover = error.temporary
      ? 'No cohort request was spent: re-run later'
      : error.source === 'file'
        ? `Check the file given as '${Inputs.CompareWith}'`
        : `To recover, run once with '${Inputs.CompareWith}: none' and import 'cohortFile' as a full replacement: ` +
          'the next run compares with that export'
    return `${error.message}. Nothing was uploaded. ${recover}.`
  }
  if (error instanceof WriteError) return `could not write the file beside '${Inputs.Path}': ${error.code}`
  if (error instanceof ArtifactError && error.conflict !== undefined) {
    return `${error.message}. Set '${Inputs.Overwrite}: true' to replace it, or choose another '${Inputs.ArtifactName}'.`
  }
  return undefined
}

function describeGiveUp(error: GaveUpError): string {
  const cause = describeFailure(error.cause)
  switch (error.reason) {
    case 'wait-too-long':
      return `${cause}; Amplitude asked to wait ${formatDuration(error.waitMs)}, too long to retry`
    case 'deadline':
      return `${cause}; no time left within '${Inputs.Timeout}' to retry`
    case 'attempts':
      return error.operation === 'download'
        ? `the download failed after ${error.attempts} attempts: ${cause}`
        : `${cause}; gave up after ${error.attempts} attempts`
  }
}

/** How long Amplitude keeps an export's file link: a failed run can resume the export within this. */
const RESUMABLE_MS = 7 * 24 * 3600_000

/**
 * The way to resume after a failure once step 1 spent a cohort request: the `request-id` line to add and until when
 * it works. Nothing when resuming cannot help (the job itself failed, or Amplitude no longer knows the request).
 */
export function resumeHint(
  error: unknown,
  resumable: { requestId: string; requestedAt?: number } | undefined,
  /** Set for one of several cohorts: `request-id` takes a step of that cohort alone. */
  cohortId?: string
): string {
  if (!resumable || error instanceof JobFailedError || error instanceof UnknownRequestError) return ''
  const until =
    resumable.requestedAt === undefined
      ? 'for seven days after it was first requested'
      : `until ${new Date(resumable.requestedAt + RESUMABLE_MS).toISOString()}`
  if (cohortId !== undefined) {
    // One of several cohorts: request-id resumes one export, so in a step of its own for this cohort.
    return (
      `\nTo retry without spending another cohort request, resume export request '${resumable.requestId}' ` +
      `(valid ${until}) in a step of its own with these inputs (and a file name as 'path'):\n` +
      `cohort-id: ${cohortId}\nrequest-id: ${resumable.requestId}`
    )
  }
  return (
    `\nTo retry without spending another cohort request, resume export request '${resumable.requestId}' ` +
    `(valid ${until}) by adding this input to the step:\nrequest-id: ${resumable.requestId}`
  )
}

/**
 * What a failed export reports: what went wrong (the cancellation, once the run is cancelled, whatever failed after
 * it) and, when it can be resumed, how.
 */
export function failureMessage(
  error: unknown,
  signal: AbortSignal,
  resumable: { requestId: string; requestedAt?: number } | undefined,
  cohortId?: string
): string {
  const failure = signal.aborted ? (signal.reason as unknown) : error
  return describeFailure(failure) + resumeHint(failure, resumable, cohortId)
}
