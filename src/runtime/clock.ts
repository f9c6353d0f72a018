// Time as the action's waits see it: poll waits, retry backoff and deadlines. Production uses the system clock;
// tests inject a clock whose `sleep` returns at once and moves `now` on, so no test sleeps through real backoff.
// (Idle timeouts on open connections watch real sockets and stay on real time.)
import { setTimeout as delay } from 'node:timers/promises'
import { CancelledError } from '../errors.js'

export interface Clock {
  now(): number
  /** Waits `ms`; rejects with CancelledError as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>
  /** A number in [0, 1), for jitter. */
  random(): number
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    try {
      await delay(ms, undefined, { signal })
    } catch (error) {
      if (signal.aborted) throw new CancelledError()
      throw error
    }
  },
  random: () => Math.random()
}

/**
 * A timer that fires `onIdle` once when `touch()` has not been called for `ms`: the one watchdog behind every
 * "no data for …" timeout. `stop()` ends it.
 */
export class IdleTimer {
  private readonly timer: NodeJS.Timeout

  constructor(ms: number, onIdle: () => void) {
    this.timer = setTimeout(onIdle, ms)
  }

  touch(): void {
    this.timer.refresh()
  }

  stop(): void {
    clearTimeout(this.timer)
  }
}

/** Rejects with CancelledError when `signal` aborts; `off()` removes the listener. */
export function whenAborted(signal: AbortSignal): { promise: Promise<never>; off: () => void } {
  let onAbort = (): void => undefined
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CancelledError())
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
  promise.catch(() => undefined)
  return { promise, off: () => signal.removeEventListener('abort', onAbort) }
}

/**
 * A time limit that counts from a moment not known in advance: `timeout` counts from step 1 (once it is sent, after
 * any wait for the scheduler), or from the start of a resumed export. Undefined until it starts.
 */
export class Deadline {
  private started?: number

  constructor(
    private readonly clock: Clock,
    private readonly ms: number
  ) {}

  /** Starts the count now; later calls change nothing. */
  start(): void {
    this.started ??= this.clock.now()
  }

  /** When the count started, if it has. */
  get startedAt(): number | undefined {
    return this.started
  }

  /** Epoch ms (on the clock) when time is up, if the count has started. */
  get at(): number | undefined {
    return this.started === undefined ? undefined : this.started + this.ms
  }
}
