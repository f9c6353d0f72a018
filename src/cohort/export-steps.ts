// The three steps of an export, each in its log group: request (one cohort request spent), wait, download.
import { AmplitudeClient } from '../amplitude/client.js'
import { AmplitudeRefusedError, UnknownRequestError } from '../errors.js'
import { downloadMembership, type Membership } from '../amplitude/download.js'
import { formatBytes, formatDuration, formatRate } from '../report/format.js'
import type { CohortJob } from '../config/inputs.js'
import type { JobStatus } from '../amplitude/job-status.js'
import { Deadline } from '../runtime/clock.js'
import { waitForCompletion } from '../amplitude/wait.js'
import type { ReportingContext, ExportResult } from './outcome.js'
import { type CohortLog, Phase } from './phases.js'
import type { RequestBudget } from './request-budget.js'

/** What the export steps use of the cohort's job. */
export type ExportJob = Pick<
  CohortJob,
  | 'cohortId'
  | 'baseUrl'
  | 'authorization'
  | 'requestTimeoutMs'
  | 'includeProps'
  | 'propKeys'
  | 'pollIntervalMs'
  | 'timeoutMs'
  | 'path'
  | 'minMembers'
  | 'requestId'
>

/** Request (or resume), wait, download: returns what the export yielded; each fact is reported as it is known. */
export async function runExportSteps(job: ExportJob, context: ReportingContext): Promise<ExportResult> {
  const { log, clock, signal, onProgress } = context
  // `timeout` counts from step 1 (not from a wait for the scheduler before it); a resumed export from now.
  const deadline = new Deadline(clock, job.timeoutMs)
  if (job.requestId) deadline.start()
  const client = new AmplitudeClient({
    baseUrl: job.baseUrl,
    authorization: job.authorization,
    requestTimeoutMs: job.requestTimeoutMs,
    signal,
    log,
    clock,
    redact: context.redact,
    deadline,
    scheduler: context.scheduler
  })
  const requests = client.sent
  onProgress({ requests })
  try {
    const requestId = job.requestId ?? (await request(client, job, log, context.budget))
    if (job.requestId) {
      log.info(
        `Resuming export request '${job.requestId}' (the 'request-id' input): no cohort request is spent`
      )
    }
    const requestedAt = job.requestId ? undefined : deadline.startedAt
    onProgress({ requestId, requestedAt, finalStatus: 'queued' })
    const { finalStatus, membership } = await afterRequest(client, requestId, job, context, deadline)
    return { requestId, requestedAt, finalStatus, membership, requests }
  } catch (error) {
    // A resumed request that Amplitude no longer knows (its file lives seven days).
    if (job.requestId && error instanceof AmplitudeRefusedError && error.reason === 'not-found') {
      throw new UnknownRequestError(job.requestId, error.detail)
    }
    throw error
  } finally {
    client.dispose()
  }
}

/** Step 1, in its log group: spends one of the account's monthly cohort requests. */
function request(
  client: AmplitudeClient,
  job: ExportJob,
  log: CohortLog,
  budget: RequestBudget | undefined
): Promise<string> {
  return log.group(Phase.Request, async () => {
    // Never a request past the month's budget: refused here, before it is sent.
    await budget?.beforeRequest()
    const props = job.propKeys.length ? `properties ${job.propKeys.join(', ')}` : 'all user properties'
    log.info(
      `Requesting cohort '${job.cohortId}' from ${job.baseUrl}${job.includeProps ? ` with ${props}` : ''}`
    )
    const id = await client.requestExport(job.cohortId, job.includeProps, job.propKeys)
    log.info(`Request ID: ${id}`)
    return id
  })
}

/** Steps 2 and 3, each in its log group: wait for the job, download the file. */
async function afterRequest(
  client: AmplitudeClient,
  requestId: string,
  job: ExportJob,
  context: ReportingContext,
  deadline: Deadline
): Promise<{ finalStatus: JobStatus; membership: Membership }> {
  const { log, clock, signal } = context
  let finalStatus: JobStatus = 'queued'
  // Started by step 1's request, or at the start of a resumed export.
  const requestedAt = deadline.startedAt ?? clock.now()
  await log.group(Phase.Wait, async () => {
    const polls = await waitForCompletion(client, requestId, {
      pollIntervalMs: job.pollIntervalMs,
      deadline: deadline.at ?? requestedAt + job.timeoutMs,
      startedAt: requestedAt,
      signal,
      log,
      clock,
      onStatus: status => {
        finalStatus = status
        context.onProgress({ finalStatus })
      }
    })
    log.info(
      `The export job completed in ${formatDuration(clock.now() - requestedAt)} (${polls} status requests)`
    )
  })

  const membership = await log.group(Phase.Download, async () => {
    const started = clock.now()
    const file = await downloadMembership(client, requestId, job.path, {
      requestTimeoutMs: job.requestTimeoutMs,
      signal,
      log,
      clock,
      minMembers: job.minMembers,
      scheduler: context.scheduler
    })
    const ms = Math.max(1, clock.now() - started)
    log.info(
      `Saved ${file.path}: ${file.members} members, ${formatBytes(file.bytes)}` +
        (file.gzip ? ` (${formatBytes(file.wireBytes)} gzip)` : '') +
        ` in ${formatDuration(ms)} (${formatRate(file.wireBytes, ms)})`
    )
    context.onProgress({ membership: file })
    return file
  })
  return { finalStatus, membership }
}
