import { AmplitudeClient } from './amplitude.js'
import { AmplitudeRefusedError, UnknownRequestError } from './errors.js'
import { downloadMembership, type Membership } from './download.js'
import { formatBytes, formatDuration, formatRate } from './format.js'
import type { ActionInputs } from './inputs.js'
import type { Report } from './report.js'
import type { RequestBudget } from './request-budget.js'
import type { Scheduler } from './scheduler.js'
import type { RunContext } from './toolkit.js'
import { waitForCompletion } from './wait.js'

export interface ExportContext extends RunContext {
  report: Report
  /** Shared by the cohorts of a step that exports several. */
  scheduler?: Scheduler
  /** The month's cohort requests, shared by the cohorts of the step: asked before each step-1 request. */
  budget?: RequestBudget
}

/** The three steps of an export, each in its log group: request (one cohort request spent), wait, download. */
export async function exportCohort(inputs: ActionInputs, context: ExportContext): Promise<Membership> {
  const { toolkit: log, clock, signal, report } = context
  const started = clock.now()
  // `timeout` counts from step 1 (not from a wait for the scheduler before it); a resumed export from now.
  const deadline = (): number => (client.requestSentAt ?? started) + inputs.timeoutMs
  const client: AmplitudeClient = new AmplitudeClient({
    baseUrl: inputs.baseUrl,
    authorization: inputs.authorization,
    requestTimeoutMs: inputs.requestTimeoutMs,
    signal,
    log,
    clock,
    redact: context.redact,
    deadline: () => (inputs.requestId || client.requestSentAt !== undefined ? deadline() : undefined),
    scheduler: context.scheduler
  })
  report.requests = client.sent
  try {
    const requestId = inputs.requestId ?? (await request(client, inputs, log, context.budget))
    if (inputs.requestId) {
      log.info(
        `Resuming export request '${inputs.requestId}' (the 'request-id' input): no cohort request is spent`
      )
    }
    const requestedAt = client.requestSentAt ?? started
    report.setRequestId(requestId, inputs.requestId ? undefined : requestedAt)
    report.setStatus('queued')
    return await afterRequest(client, requestId, inputs, context, requestedAt)
  } catch (error) {
    // A resumed request that Amplitude no longer knows (its file lives seven days).
    if (inputs.requestId && error instanceof AmplitudeRefusedError && error.reason === 'not-found') {
      throw new UnknownRequestError(inputs.requestId, error.detail)
    }
    throw error
  } finally {
    client.dispose()
  }
}

/** Step 1, in its log group: spends one of the account's monthly cohort requests. */
function request(
  client: AmplitudeClient,
  inputs: ActionInputs,
  log: ExportContext['toolkit'],
  budget: RequestBudget | undefined
): Promise<string> {
  return log.group('Request the cohort export', async () => {
    await budget?.beforeRequest()
    const props = inputs.propKeys.length ? `properties ${inputs.propKeys.join(', ')}` : 'all user properties'
    log.info(
      `Requesting cohort '${inputs.cohortId}' from ${inputs.baseUrl}${inputs.includeProps ? ` with ${props}` : ''}`
    )
    const id = await client.requestExport(inputs.cohortId, inputs.includeProps, inputs.propKeys)
    log.info(`Request ID: ${id}`)
    return id
  })
}

/** Steps 2 and 3, each in its log group: wait for the job, download the file. */
async function afterRequest(
  client: AmplitudeClient,
  requestId: string,
  inputs: ActionInputs,
  context: ExportContext,
  requestedAt: number
): Promise<Membership> {
  const { toolkit: log, clock, signal, report } = context
  // `timeout` counts from step 1.
  const deadline = requestedAt + inputs.timeoutMs
  await log.group('Wait for the export job', async () => {
    const polls = await waitForCompletion(client, requestId, {
      pollIntervalMs: inputs.pollIntervalMs,
      deadline,
      startedAt: requestedAt,
      signal,
      log,
      clock,
      onStatus: status => report.setStatus(status)
    })
    log.info(
      `The export job completed in ${formatDuration(clock.now() - requestedAt)} (${polls} status requests)`
    )
  })

  return await log.group('Download the membership file', async () => {
    const started = clock.now()
    const file = await downloadMembership(client, requestId, inputs.path, {
      requestTimeoutMs: inputs.requestTimeoutMs,
      signal,
      log,
      clock,
      minMembers: inputs.minMembers,
      scheduler: context.scheduler
    })
    const ms = Math.max(1, clock.now() - started)
    log.info(
      `Saved ${file.path}: ${file.members} members, ${formatBytes(file.bytes)}` +
        (file.gzip ? ` (${formatBytes(file.wireBytes)} gzip)` : '') +
        ` in ${formatDuration(ms)} (${formatRate(file.wireBytes, ms)})`
    )
    report.setMembership(file)
    return file
  })
}
