// A clock for tests: `sleep` returns at once and moves virtual time on by the wait asked for, so retry backoff,
// Retry-After and poll waits cost no real time while deadlines still see them. Real I/O (and its idle timeouts)
// runs on real time underneath: virtual time = real time + the waits skipped.
import type { Clock } from '../../src/runtime/clock.js'
import { CancelledError } from '../../src/errors.js'

export class TestClock implements Clock {
  /** Every wait asked for, in order (ms). */
  readonly sleeps: number[] = []
  private skipped = 0

  /**
   * @param rng the jitter source (0.5 by default: waits are deterministic)
   * @param onSleep called at the start of every wait, e.g. to change the world at a known point of the run
   */
  constructor(
    private readonly rng: () => number = () => 0.5,
    private readonly onSleep?: (ms: number) => void
  ) {}

  now(): number {
    return Date.now() + this.skipped
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw new CancelledError()
    this.sleeps.push(ms)
    this.onSleep?.(ms)
    this.skipped += ms
    // Let pending I/O run, as a real wait would.
    await new Promise(resolve => setImmediate(resolve))
    if (signal.aborted) throw new CancelledError()
  }

  random(): number {
    return this.rng()
  }
}
