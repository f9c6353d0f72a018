// When to ask Amplitude about the export job again: a pure function of the attempt, the time elapsed and the
// server's Retry-After, so it can be tested and benchmarked without sleeping.
//
// The wait starts at `poll-interval` and then grows with the time already spent: each wait is at most `ratio` of the
// elapsed time (capped at `maxMs`). A job that completes just after a poll is therefore noticed within
// max(poll-interval, ratio × its duration), while a job of an hour costs tens of requests instead of the 720 a
// fixed 5-second loop spends. Jitter only shortens a wait, so the lag bound holds and parallel runs spread out.
export interface PollSchedule {
  /** The first wait, and the shortest (the `poll-interval` input). */
  initialMs: number
  /** Each wait is at most this fraction of the time elapsed since the job was requested. */
  ratio: number
  /** The longest wait between two polls. */
  maxMs: number
  /** Fraction of a wait that jitter may take off (0 = none). */
  jitter: number
}

export const DEFAULT_POLL_SCHEDULE: Omit<PollSchedule, 'initialMs'> = {
  ratio: 0.1,
  maxMs: 5 * 60_000,
  jitter: 0.1
}

/**
 * Milliseconds to wait before poll `attempt` (1 for the first poll after the request).
 * @param elapsedMs time since the export was requested
 * @param retryAfterMs the server's Retry-After, which always wins when given
 * @param random a number in [0, 1), for jitter
 */
export function pollDelay(
  schedule: PollSchedule,
  attempt: number,
  elapsedMs: number,
  retryAfterMs?: number,
  random: number = Math.random()
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return retryAfterMs
  const base = attempt <= 1 ? schedule.initialMs : Math.max(schedule.initialMs, schedule.ratio * elapsedMs)
  const capped = Math.min(base, Math.max(schedule.maxMs, schedule.initialMs))
  return Math.round(capped * (1 - schedule.jitter * random))
}
