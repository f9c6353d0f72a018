import { randomBytes } from 'node:crypto'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { AmplitudeClient, type JobStatus, type Logger, sleep } from './amplitude-client.js'
import { formatBytes, formatDuration } from './duration.js'
import { AmplitudeError, DownloadError, messageOf, TransientError } from './errors.js'
import { DEFAULT_POLL_SCHEDULE, pollDelay, type PollSchedule, retryDelay } from './poll-schedule.js'
import { saveBody, type SavedFile } from './download.js'

export interface WaitOptions {
  pollIntervalMs: number
  /** Epoch ms by which the job must have completed (start + `timeout`). */
  deadline: number
  startedAt: number
  signal: AbortSignal
  log: Logger
  onStatus?: (status: JobStatus) => void
  schedule?: Partial<PollSchedule>
}

/**
 * Step 2: polls the job until it completes. Waits follow the poll schedule (Retry-After wins); every status change is
 * logged; an unknown status is logged and polling goes on. Throws AmplitudeError when the job fails and
 * TransientError when `timeout` passes first, naming the last status and the time waited.
 */
export async function waitForCompletion(
  client: AmplitudeClient,
  requestId: string,
  options: WaitOptions
): Promise<number> {
  const schedule: PollSchedule = {
    ...DEFAULT_POLL_SCHEDULE,
    initialMs: options.pollIntervalMs,
    ...options.schedule
  }
  const { log, signal, deadline, startedAt } = options
  let last: { status: JobStatus; raw: string } | undefined
  let retryAfterMs: number | undefined
  for (let attempt = 1; ; attempt++) {
    const now = Date.now()
    let wait = pollDelay(schedule, attempt, now - startedAt, retryAfterMs)
    if (now + wait > deadline) {
      // One last look right at the deadline rather than giving up early.
      wait = Math.max(0, deadline - now)
      if (wait === 0 && attempt > 1) {
        throw new TransientError(
          `the export job did not complete within 'timeout' (${formatDuration(deadline - startedAt)}): last status ` +
            `'${last?.status ?? 'none'}'${last ? ` (${last.raw})` : ''} after ${formatDuration(now - startedAt)} and ` +
            `${attempt - 1} status requests. Large cohorts can take several minutes: raise 'timeout' if this repeats.`
        )
      }
    }
    await sleep(wait, signal)
    const result = await client.getStatus(requestId)
    retryAfterMs = result.retryAfterMs
    const elapsed = formatDuration(Date.now() - startedAt)
    if (result.status !== last?.status || result.raw !== last?.raw) {
      if (result.status === 'unknown') {
        log.warning(
          `Amplitude reported an unknown job status '${result.raw}' after ${elapsed}; still polling`
        )
      } else {
        log.info(`Status: ${result.status} (${result.raw}) after ${elapsed}`)
        options.onStatus?.(result.status)
      }
    }
    last = result
    if (result.status === 'complete') return attempt
    if (result.status === 'failed') {
      throw new AmplitudeError(
        `Amplitude reported that the export job failed (${result.raw}) after ${elapsed}. ` +
          'Check the cohort in Amplitude and re-run; each run spends one of the monthly cohort requests.'
      )
    }
  }
}

/** The longest a download retry waits for a Retry-After: past this, the run fails rather than idle. */
const MAX_DOWNLOAD_RETRY_WAIT_MS = 5 * 60_000

export interface DownloadOptions {
  requestTimeoutMs: number
  signal: AbortSignal
  log: Logger
  /** Fewer members than this fails the run (the file is not kept). */
  minMembers: number
  /** Download attempts; each asks the API file link again (storage links live one minute). */
  maxAttempts?: number
  retryBaseMs?: number
}

export interface Membership extends SavedFile {
  path: string
  attempts: number
}

/**
 * Step 3: downloads the membership file to a temporary file beside `path`, then renames it into place only when it
 * is complete and valid. A failed attempt asks the API link again (a fresh storage link); on final failure nothing
 * is left at `path`.
 */
export async function downloadMembership(
  client: AmplitudeClient,
  requestId: string,
  path: string,
  options: DownloadOptions
): Promise<Membership> {
  const { log, signal } = options
  const maxAttempts = options.maxAttempts ?? 3
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`)
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await client.openFile(requestId)
        log.info(
          `Downloading from ${response.redirected ? 'storage' : 'Amplitude'} (${response.source})` +
            (response.contentLength !== undefined ? `, ${formatBytes(response.contentLength)}` : '') +
            (response.contentEncoding ? `, ${response.contentEncoding}` : '')
        )
        const saved = await saveBody(response, temp, {
          idleTimeoutMs: options.requestTimeoutMs,
          signal,
          onProgress: (bytes, ms) =>
            log.info(
              `  ${formatBytes(bytes)} received in ${formatDuration(ms)} (${formatBytes((bytes / ms) * 1000)}/s)`
            )
        })
        if (saved.members < options.minMembers) {
          throw new AmplitudeError(
            `the cohort file has ${saved.members} members, fewer than 'min-members' (${options.minMembers}); ` +
              'not keeping it, so downstream jobs never import a broken or empty cohort'
          )
        }
        await rename(temp, path)
        return { ...saved, path, attempts: attempt }
      } catch (error) {
        await rm(temp, { force: true })
        const retryable = error instanceof TransientError || error instanceof DownloadError
        if (!retryable || signal.aborted) throw error
        if (attempt >= maxAttempts) {
          throw new DownloadError(`the download failed after ${attempt} attempts: ${messageOf(error)}`)
        }
        // Backoff with jitter; a Retry-After from the file link wins, unless it asks for longer than is worth waiting.
        const retryAfterMs = error instanceof TransientError ? error.retryAfterMs : undefined
        const wait = retryAfterMs ?? retryDelay(attempt, options.retryBaseMs ?? 1000)
        if (wait > MAX_DOWNLOAD_RETRY_WAIT_MS) {
          throw new DownloadError(
            `${messageOf(error)}; Amplitude asked to wait ${formatDuration(wait)}, too long to retry`
          )
        }
        log.warning(
          `Download attempt ${attempt} failed: ${messageOf(error)}; asking Amplitude for the file again in ${formatDuration(wait)}`
        )
        await sleep(wait, signal)
      }
    }
  } finally {
    await rm(temp, { force: true })
  }
}
