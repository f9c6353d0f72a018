// One cohort's export, start to end: re-use what an earlier attempt of this run uploaded, or find the baseline,
// export (request, wait, download), compare and deliver. Returns the outcome, failed or not.
import { failureMessage } from '../report/advice.js'
import { prepareDestination } from '../config/destination.js'
import type { CohortJob } from '../config/inputs.js'
import type { JobStatus } from '../amplitude/job-status.js'
import { Changes } from './changes.js'
import { Delivery } from './deliver.js'
import { runExportSteps } from './export-steps.js'
import type { CohortContext, CohortOutcome, Progress, ReportingContext } from './outcome.js'
import type { CohortSpend } from './request-budget.js'
import { reuseEarlierAttempt } from './reuse.js'

/**
 * Exports one cohort and returns what it got to: every fact known when it ended, and the failure message (advice
 * included) when it failed. `onProgress` hears each fact as soon as it is known.
 */
export async function exportCohort(
  job: CohortJob,
  context: CohortContext,
  /** With several cohorts, the failure message names the cohort (a resume hint says which one to resume). */
  several = false
): Promise<CohortOutcome> {
  const { clock } = context
  const known: CohortOutcome = {
    cohortId: job.cohortId,
    startedAt: clock.now(),
    endedAt: clock.now(),
    requests: { request: 0, status: 0, file: 0, storage: 0 }
  }
  const onProgress = (progress: Progress): void => {
    Object.assign(known, progress)
    context.onProgress?.(progress)
  }
  // The month's count waits for every cohort's baseline history: this cohort says it, whatever ends it.
  const spend = context.budget?.forCohort()
  try {
    await exportSteps(job, { ...context, onProgress }, spend)
  } catch (error) {
    const resumable = known.requestId
      ? { requestId: known.requestId, requestedAt: known.requestedAt }
      : undefined
    known.error = failureMessage(error, context.signal, resumable, several ? job.cohortId : undefined)
  } finally {
    spend?.done()
  }
  return { ...known, endedAt: clock.now() }
}

async function exportSteps(
  job: CohortJob,
  context: ReportingContext,
  spend: CohortSpend | undefined
): Promise<void> {
  const { log, env, onProgress } = context
  const delivery = new Delivery(job, { ...log, env })
  await prepareDestination(job.path)
  const reused = await reuseEarlierAttempt(job, context)
  if (reused) {
    const { manifest, artifact } = reused
    spend?.known(manifest.history)
    log.info(
      `Re-using the export that an earlier attempt of this run uploaded (request '${manifest.requestId}', ` +
        `artifact id ${artifact.id}): no Amplitude request is spent`
    )
    onProgress({
      requestId: manifest.requestId,
      finalStatus: manifest.finalStatus as JobStatus,
      membership: {
        path: reused.path,
        members: manifest.memberCount,
        bytes: manifest.bytes,
        wireBytes: manifest.bytes,
        sha256: manifest.sha256,
        gzip: false
      },
      changes: {
        baseline: manifest.baseline,
        fullSync: manifest.fullSync ?? null,
        entering: manifest.enteringCount,
        exiting: manifest.exitingCount,
        changed: manifest.changedCount,
        skipped: manifest.skippedCount ?? null,
        files: reused.files,
        history: manifest.history
      },
      artifact
    })
    return
  }
  await delivery.checkName()
  const changes = await Changes.prepare(job, context)
  spend?.known(changes.baselineHistory, changes.monthExports)
  try {
    const exported = await runExportSteps(job, context)
    const computed = await changes.compute(exported.membership, {
      cohortId: job.cohortId,
      requestId: exported.requestId,
      finalStatus: exported.finalStatus,
      exportedAt: new Date(context.clock.now()).toISOString()
    })
    onProgress({ changes: computed.report })
    const artifact = await delivery.deliver(computed.files, log)
    if (artifact) onProgress({ artifact: { ...artifact, name: job.artifactName } })
  } finally {
    await changes.dispose()
  }
}
