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
