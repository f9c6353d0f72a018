import type { AmplitudeClient } from './client.js'
import type { Clock } from '../runtime/clock.js'
import { formatDuration } from '../report/format.js'
import { JobFailedError, JobTimeoutError } from '../errors.js'
import type { JobStatus } from './job-status.js'
import { DEFAULT_POLL_SCHEDULE, pollDelay, type PollSchedule } from './poll-schedule.js'
import type { Logger } from '../runtime/toolkit.js'

export interface WaitOptions {
  pollIntervalMs: number
  /** Epoch ms (on `clock`) by which the job must have completed. */
  deadline: number
  /** When the export was requested (on `clock`). */
  startedAt: number
  signal: AbortSignal
  log: Logger
  clock: Clock
  onStatus?: (status: JobStatus) => void
}

/**
 * Step 2: polls the job until it completes; returns the status requests spent. Waits follow the poll schedule
 * (Retry-After wins); every status change is logged; an unknown status is logged and polling goes on. Throws
 * JobFailedError when the job fails and JobTimeoutError when the deadline passes first.
 */
export async function waitForCompletion(
  client: AmplitudeClient,
  requestId: string,
  options: WaitOptions
): Promise<number> {
  const schedule: PollSchedule = { ...DEFAULT_POLL_SCHEDULE, initialMs: options.pollIntervalMs }
  const { log, signal, deadline, startedAt, clock } = options
  let last: { status: JobStatus; raw: string } | undefined
  let retryAfterMs: number | undefined
  for (let attempt = 1; ; attempt++) {
    const now = clock.now()
    let wait = pollDelay(schedule, attempt, now - startedAt, retryAfterMs, clock.random())
    if (now + wait > deadline) {
      // One last look right at the deadline rather than giving up early.
      wait = Math.max(0, deadline - now)
      if (wait === 0 && attempt > 1) {
        throw new JobTimeoutError(
          formatDuration(deadline - startedAt),
          last ? `'${last.status}' (${last.raw})` : `'none'`,
          formatDuration(now - startedAt),
          attempt - 1
        )
      }
    }
    await clock.sleep(wait, signal)
    const result = await client.getStatus(requestId)
    retryAfterMs = result.retryAfterMs
    const elapsed = formatDuration(clock.now() - startedAt)
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
    if (result.status === 'failed') throw new JobFailedError(result.raw, elapsed)
  }
}
