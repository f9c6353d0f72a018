// A discrete-event clock for tests of concurrent waits: virtual time starts at `start` and moves only when everything
// else is idle, straight to the earliest pending wait, which then ends. Overlapping waits overlap, as on a real clock
// (a TestClock moves time on at the start of every wait, so two concurrent waits of 10 s take 20 s of its time), and
// nothing sleeps in real time. For pure in-process code: real I/O does not count as "busy".
import type { Clock } from '../../src/runtime/clock.js'
import { CancelledError } from '../../src/errors.js'

interface Timer {
  at: number
  seq: number
  fire(): void
}

export class EventClock implements Clock {
  /** Every wait asked for, in order (ms). */
  readonly sleeps: number[] = []
  private time: number
  private seq = 0
  private readonly timers: Timer[] = []
  private driving = false

  constructor(
    start = 0,
    private readonly rng: () => number = () => 0.5
  ) {
    this.time = start
  }

  now(): number {
    return this.time
  }

  random(): number {
    return this.rng()
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new CancelledError())
    this.sleeps.push(ms)
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.timers.indexOf(timer)
        if (index >= 0) this.timers.splice(index, 1)
        reject(new CancelledError())
      }
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        }
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.timers.push(timer)
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      void this.drive()
    })
  }

  /** Fires the timers in order, each once the event loop has nothing else to do. */
  private async drive(): Promise<void> {
    if (this.driving) return
    this.driving = true
    try {
      while (this.timers.length > 0) {
        for (let i = 0; i < 3; i++) await new Promise(resolve => setImmediate(resolve))
        const timer = this.timers.shift()
        if (!timer) break
        this.time = Math.max(this.time, timer.at)
        timer.fire()
      }
    } finally {
      this.driving = false
    }
  }
}
