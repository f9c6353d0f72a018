import * as core from '@actions/core'
import { AmplitudeClient, type Logger } from './amplitude-client.js'
import { formatBytes, formatDuration } from './duration.js'
import { CancelledError, messageOf, Redactor } from './errors.js'
import { downloadMembership, waitForCompletion } from './export.js'
import { maskSecrets, readInputs } from './inputs.js'
import { type RunReport, setFinalStatus, setRequestId, setResultOutputs, writeSummary } from './report.js'

function logger(redactor: Redactor): Logger {
  return {
    info: message => core.info(redactor.redact(message)),
    debug: message => core.debug(redactor.redact(message)),
    warning: message => core.warning(redactor.redact(message))
  }
}

/** Aborts on SIGINT/SIGTERM, the way the runner cancels a job; returns a function that removes the handlers. */
function cancelOnSignals(controller: AbortController): () => void {
  const onSignal = (signal: NodeJS.Signals): void =>
    controller.abort(new CancelledError(`the run was cancelled (${signal})`))
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** Exports one Amplitude cohort: request → poll → download, then upload the file and report. */
export async function run(): Promise<void> {
  const report: RunReport = { cohortId: core.getInput('cohort-id').trim(), startedAt: Date.now() }
  const secrets = maskSecrets()
  const redactor = new Redactor(secrets)
  const log = logger(redactor)
  const controller = new AbortController()
  const signal = controller.signal
  const removeHandlers = cancelOnSignals(controller)
  let client: AmplitudeClient | undefined
  try {
    const inputs = await readInputs(secrets)
    const upload = inputs.uploadArtifact
      ? {
          name: inputs.artifactName,
          retentionDays: inputs.retentionDays,
          compressionLevel: inputs.compressionLevel,
          overwrite: inputs.overwrite
        }
      : undefined
    // A re-run ("Re-run all jobs") finds the artifact its first attempt uploaded: check the name before a monthly
    // cohort request is spent on a file that could not be delivered. A first attempt skips the check, so the artifact
    // client (most of the bundle) is loaded only for the upload and the export starts at once.
    if (upload && Number(process.env.GITHUB_RUN_ATTEMPT || '1') > 1) {
      const { checkArtifactName } = await import('./artifact.js')
      await checkArtifactName(upload, log)
    }

    const requestedAt = Date.now()
    const deadline = requestedAt + inputs.timeoutMs
    client = new AmplitudeClient({
      baseUrl: inputs.baseUrl,
      authorization: inputs.authorization,
      redactor,
      requestTimeoutMs: inputs.requestTimeoutMs,
      signal,
      log,
      deadline: () => deadline
    })
    const amplitude = client

    const requestId = await core.group('Request the cohort export', async () => {
      log.info(
        `Requesting cohort '${inputs.cohortId}' from ${inputs.baseUrl}` +
          (inputs.includeProps
            ? ` with ${inputs.propKeys.length ? `properties ${inputs.propKeys.join(', ')}` : 'all user properties'}`
            : '')
      )
      const id = await amplitude.requestExport(inputs.cohortId, inputs.includeProps, inputs.propKeys)
      log.info(`Request ID: ${id}`)
      return id
    })
    setRequestId(report, requestId)
    setFinalStatus(report, 'queued')

    await core.group('Wait for the export job', async () => {
      const polls = await waitForCompletion(amplitude, requestId, {
        pollIntervalMs: inputs.pollIntervalMs,
        deadline,
        startedAt: requestedAt,
        signal,
        log,
        onStatus: status => setFinalStatus(report, status)
      })
      log.info(
        `The export job completed in ${formatDuration(Date.now() - requestedAt)} (${polls} status requests)`
      )
    })

    const membership = await core.group('Download the membership file', async () => {
      const started = Date.now()
      const file = await downloadMembership(amplitude, requestId, inputs.path, {
        requestTimeoutMs: inputs.requestTimeoutMs,
        signal,
        log,
        minMembers: inputs.minMembers
      })
      const ms = Math.max(1, Date.now() - started)
      log.info(
        `Saved ${file.path}: ${file.members} members, ${formatBytes(file.bytes)}` +
          (file.gzip ? ` (${formatBytes(file.wireBytes)} gzip)` : '') +
          ` in ${formatDuration(ms)} (${formatBytes((file.wireBytes / ms) * 1000)}/s)`
      )
      return file
    })
    Object.assign(report, {
      path: membership.path,
      members: membership.members,
      bytes: membership.bytes,
      sha256: membership.sha256
    })

    if (upload) {
      await core.group('Upload the artifact', async () => {
        const { uploadMembership } = await import('./artifact.js')
        const artifact = await uploadMembership(membership.path, upload, log)
        Object.assign(report, {
          artifactName: inputs.artifactName,
          artifactId: artifact.id,
          artifactUrl: artifact.url
        })
      })
    }
    setResultOutputs(report)
    log.info(
      `Exported cohort '${inputs.cohortId}': ${membership.members} members, ${formatBytes(membership.bytes)}, ` +
        `sha256 ${membership.sha256}, in ${formatDuration(Date.now() - report.startedAt)} ` +
        `(Amplitude requests: ${amplitude.sent.request} export, ${amplitude.sent.status} status, ` +
        `${amplitude.sent.file} file, ${amplitude.sent.storage} storage)`
    )
  } catch (error) {
    const message = signal.aborted ? messageOf(signal.reason) : messageOf(error)
    report.error = message
    core.setFailed(redactor.redact(message))
  } finally {
    removeHandlers()
    client?.dispose()
    await writeSummary(report, redactor).catch(error =>
      log.warning(`Could not write the job summary: ${messageOf(error)}`)
    )
  }
}
