// The step's outputs and final log lines, as pure functions of the cohorts' outcomes: the single-cohort outputs,
// `results` and `failedCohorts` (for one cohort as for several), and the outputs set as soon as they are known.
import { type ChangeCounts, changeCounts } from '../cohort/changes.js'
import type { CohortOutcome, Progress } from '../cohort/outcome.js'
import { Outputs } from '../config/constants.js'
import type { Log, Toolkit } from '../runtime/toolkit.js'
import { formatBytes, formatDuration } from './format.js'
import { trendSentence } from './trend.js'

/** One cohort's facts in the `results` output (null where unknown). */
export interface CohortResult extends ChangeCounts {
  requestId: string | null
  finalStatus: string | null
  memberCount: number | null
  bytes: number | null
  sha256: string | null
  cohortFile: string | null
  artifactId: number | null
  artifactUrl: string | null
  error?: string
}

/** The outputs set as soon as they are known (one cohort): the request ID and each job status. */
export function progressOutputs(toolkit: Pick<Toolkit, 'setOutput'>): (progress: Progress) => void {
  return ({ requestId, finalStatus }) => {
    if (requestId !== undefined) toolkit.setOutput(Outputs.RequestId, requestId)
    if (finalStatus !== undefined) toolkit.setOutput(Outputs.FinalStatus, finalStatus)
  }
}

/** A count as an output's text: empty when unknown. */
const countOrEmpty = (n: number | null | undefined): string =>
  n === null || n === undefined ? '' : String(n)

/** The single-cohort outputs of an exported cohort (artifact ones empty when nothing was uploaded). */
export function setCohortOutputs(toolkit: Pick<Toolkit, 'setOutput'>, outcome: CohortOutcome): void {
  const { membership: file, changes, artifact } = outcome
  if (!file) throw new Error('no membership file to report')
  const set = (name: string, value: string): void => toolkit.setOutput(name, value)
  set(Outputs.CohortFile, file.path)
  set(Outputs.MemberCount, String(file.members))
  set(Outputs.Bytes, String(file.bytes))
  set(Outputs.Sha256, file.sha256)
  set(Outputs.ArtifactId, artifact ? String(artifact.id) : '')
  set(Outputs.ArtifactUrl, artifact?.url ?? '')
  set(Outputs.Baseline, changes?.baseline ?? 'none')
  const fullSync = changes?.fullSync
  set(Outputs.FullSync, fullSync === null || fullSync === undefined ? '' : String(fullSync))
  set(Outputs.EnteringCount, countOrEmpty(changes?.entering))
  set(Outputs.ExitingCount, countOrEmpty(changes?.exiting))
  set(Outputs.ChangedCount, countOrEmpty(changes?.changed))
  set(Outputs.SkippedCount, countOrEmpty(changes?.skipped))
  set(Outputs.EnteringFile, changes?.files.entering ?? '')
  set(Outputs.ExitingFile, changes?.files.exiting ?? '')
  set(Outputs.ChangedFile, changes?.files.changed ?? '')
  set(Outputs.SkippedFile, changes?.files.skipped ?? '')
}

/** The lines an exported cohort ends with: tonight in context (a notice when outside the range), then the totals. */
export function logOutcome(log: Log, outcome: CohortOutcome): void {
  const { membership: file, cohortId, requests: sent } = outcome
  if (!file || outcome.error) return
  const history = outcome.changes?.history ?? []
  if (history.length > 0) {
    const { sentence, outside } = trendSentence(history)
    log.info(sentence)
    // With fewer than two earlier exports any change is "outside the range": not worth a notice.
    if (outside && history.length >= 3) log.notice(`Cohort '${cohortId}': ${sentence}`)
  }
  log.info(
    `Exported cohort '${cohortId}': ${file.members} members, ${formatBytes(file.bytes)}, ` +
      `sha256 ${file.sha256}, in ${formatDuration(outcome.endedAt - outcome.startedAt)} ` +
      `(cohort requests spent: ${sent.request}; Amplitude requests: ${sent.request} export, ${sent.status} status, ` +
      `${sent.file} file, ${sent.storage} storage)`
  )
}

/** A cohort's entry of the `results` output: the single-cohort outputs' facts, and `error` when it failed. */
export function cohortResult(outcome: CohortOutcome): CohortResult {
  // A failed cohort's file (e.g. one that min-members refused) is not reported as its export.
  const file = outcome.error ? undefined : outcome.membership
  const { changes, artifact } = outcome
  return {
    requestId: outcome.requestId ?? null,
    finalStatus: outcome.finalStatus ?? null,
    memberCount: file?.members ?? null,
    bytes: file?.bytes ?? null,
    sha256: file?.sha256 ?? null,
    cohortFile: file?.path ?? null,
    artifactId: artifact?.id ?? null,
    artifactUrl: artifact?.url ?? null,
    ...changeCounts(changes),
    ...(outcome.error ? { error: outcome.error } : {})
  }
}

/**
 * Sets `results` (JSON by cohort ID: each cohort's single-cohort outputs, and `error` when it failed) and
 * `failedCohorts`, for one cohort as for several, so that a downstream job needs no change when a cohort is added.
 */
export function setResults(toolkit: Pick<Toolkit, 'setOutput'>, outcomes: CohortOutcome[]): void {
  const results = Object.fromEntries(outcomes.map(o => [o.cohortId, cohortResult(o)]))
  toolkit.setOutput(Outputs.Results, JSON.stringify(results))
  toolkit.setOutput(Outputs.FailedCohorts, failedCohorts(outcomes).join(','))
}

export function failedCohorts(outcomes: CohortOutcome[]): string[] {
  return outcomes.filter(o => o.error !== undefined).map(o => o.cohortId)
}
