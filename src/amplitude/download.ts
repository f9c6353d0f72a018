import { randomBytes } from 'node:crypto'
import { rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { AmplitudeClient } from './client.js'
import type { Clock } from '../runtime/clock.js'
import { InvalidFileError, TooFewMembersError } from '../errors.js'
import { formatBytes, formatDuration, formatRate } from '../report/format.js'
import { retry, retryTransient, type RetryPolicy } from '../net/retry.js'
import { saveBody, type SavedFile } from './save-body.js'
import type { Scheduler } from '../net/scheduler.js'
import type { Logger } from '../runtime/toolkit.js'

/**
 * 3 attempts, each asking the API file link again (storage links live one minute); a Retry-After longer than 5 minutes
 * ends the retries rather than idling.
 */
const DOWNLOAD_RETRY: RetryPolicy = {
  operation: 'download',
  maxAttempts: 3,
  baseMs: 1000,
  capMs: 30_000,
  maxWaitMs: 5 * 60_000
}

export interface DownloadOptions {
  requestTimeoutMs: number
  signal: AbortSignal
  log: Logger
  clock: Clock
  /** Fewer members than this fails the run (the file is not kept). */
  minMembers: number
  /** With several cohorts: at most two downloads at once, so disk and memory stay bounded. */
  scheduler?: Scheduler
}

export interface Membership extends SavedFile {
  path: string
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
  const { log, signal, clock } = options
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`)
  // A body that is not a complete, valid file is downloaded again too.
  const context = retryTransient(
    {
      clock,
      signal,
      onRetry: (error: Error, attempt: number, waitMs: number) =>
        log.warning(
          `Download attempt ${attempt} failed: ${error.message}; asking Amplitude for the file again in ` +
            formatDuration(waitMs)
        )
    },
    error => error instanceof InvalidFileError
  )
  try {
    return await retry(DOWNLOAD_RETRY, context, () => {
      const attempt = () => attemptDownload()
      return options.scheduler ? options.scheduler.download(attempt, signal) : attempt()
    })
  } finally {
    await rm(temp, { force: true })
  }

  /** One attempt: ask the file link again, stream to the temporary file, rename it into place when valid. */
  async function attemptDownload(): Promise<Membership> {
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
          log.info(`  ${formatBytes(bytes)} received in ${formatDuration(ms)} (${formatRate(bytes, ms)})`)
      })
      if (saved.members < options.minMembers) throw new TooFewMembersError(saved.members, options.minMembers)
      await rename(temp, path)
      return { ...saved, path }
    } catch (error) {
      await rm(temp, { force: true })
      throw error
    }
  }
}
