// One scheduler for every cohort's Amplitude requests, so that several cohorts exported in one step stay within
// Amplitude's limits together: requests in flight across the API, step-1 starts in a rolling window, and the pauses a
// Retry-After asks for. Storage downloads are not Amplitude requests; they have their own, smaller limit so that disk
// and memory stay bounded; and the comparisons run one at a time.
//
// Waiters are granted in arrival order by `dispatch()`, which runs whenever something changes (a waiter arrives, a
// slot is released, a waiter is cancelled, a pause is set). Waits on time (a window slot, a pause) share one timer on
// the injected clock, so a test clock makes them instant; waits on a free slot need no timer at all.
import type { Clock } from '../runtime/clock.js'
import { CancelledError } from '../errors.js'

export type Endpoint = 'request' | 'status' | 'file'

export interface SchedulerLimits {
  /** Amplitude requests in flight at once, all endpoints together. */
  maxInFlight: number
  /** Step-1 ('request') starts in any rolling window of `windowMs`. */
  startsPerWindow: number
  windowMs: number
  /** Storage downloads at once (they do not count as Amplitude requests). */
  maxDownloads: number
  /**
   * Comparisons at once (1 when not given): a comparison keeps a core busy and holds its buckets' tables, so two at once
   * would not finish sooner, and memory stays that of one.
   */
  maxComparisons?: number
}

/** What Amplitude documents: 5 concurrent requests, 4 cohort requests a minute; and 2 downloads for the runner. */
export const AMPLITUDE_LIMITS: SchedulerLimits = Object.freeze({
  maxInFlight: 5,
  startsPerWindow: 4,
  windowMs: 60_000,
  maxDownloads: 2
})

/** A storage download, and a comparison, wait in the same queue under these lanes. */
type Lane = Endpoint | 'download' | 'compare'

interface Waiter {
  lane: Lane
  /** Takes nothing itself: `dispatch` has counted the slot when it calls this. */
  start(): void
}

export class Scheduler {
  private inFlight = 0
  private downloads = 0
  private comparisons = 0
  private startCount = 0
  private readonly waiting: Waiter[] = []
  /**
   * The step-1 requests still holding a window slot, each until `windowMs` after it settled (Infinity while in flight).
   * Amplitude sees a request arrive after it was sent, so a slot counted from the call could free a few ms early by its
   * count; counted from the answer it never does.
   */
  private window: { settled: number }[] = []
  private readonly pausedUntil: Record<Endpoint, number> = { request: 0, status: 0, file: 0 }
  /** The one pending wake-up for waits on time; `at` is when it fires. */
  private timer?: { at: number; controller: AbortController }
  private dispatching = false
  private again = false

  constructor(
    private readonly limits: SchedulerLimits,
    private readonly clock: Clock
  ) {}

  /** Step-1 requests started so far (for the 'cohort requests spent' count). */
  get started(): number {
    return this.startCount
  }

  /**
   * Runs `fn` once a slot is free: at most maxInFlight at once; for 'request' also at most startsPerWindow starts in
   * any rolling windowMs (a step-1 request holds its window slot from the call of `fn` until windowMs after it
   * settles, so one `fn` should send one request); never while `endpoint` is paused. FIFO per endpoint. Rejects with
   * CancelledError if `signal` aborts while waiting; the slot is released when `fn` settles.
   */
  run<T>(endpoint: Endpoint, fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return this.schedule(endpoint, fn, signal)
  }

  /** Runs `fn` with at most maxDownloads at once. */
  download<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return this.schedule('download', fn, signal)
  }

  /** Runs `fn` (a comparison) with at most maxComparisons at once. */
  compare<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return this.schedule('compare', fn, signal)
  }

  /** A Retry-After from Amplitude on `endpoint`: no request to it starts before now + `ms` (pauses only extend). */
  pause(endpoint: Endpoint, ms: number): void {
    this.pausedUntil[endpoint] = Math.max(this.pausedUntil[endpoint], this.clock.now() + ms)
    this.dispatch()
  }

  /**
   * Queues `fn`; `dispatch` calls it (synchronously, so a start counts at the moment `fn` is called) once the lane
   * allows, and the slot is released when it settles. A waiter cancelled before that takes nothing.
   */
  private schedule<T>(lane: Lane, fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(new CancelledError())
      const onAbort = (): void => {
        const index = this.waiting.indexOf(waiter)
        if (index < 0) return
        this.waiting.splice(index, 1)
        reject(new CancelledError())
        this.dispatch() // the next waiter of this lane may be free to go now
      }
      const slot = { settled: Infinity }
      const release = (): void => {
        this.take(lane, -1)
        slot.settled = this.clock.now()
        this.dispatch()
      }
      const waiter: Waiter = {
        lane,
        start: () => {
          signal.removeEventListener('abort', onAbort)
          if (lane === 'request') {
            this.startCount++
            this.window.push(slot)
          }
          let result: Promise<T>
          try {
            result = Promise.resolve(fn())
          } catch (error) {
            result = Promise.reject(error)
          }
          result.then(
            value => {
              release()
              resolve(value)
            },
            (error: unknown) => {
              release()
              reject(error)
            }
          )
        }
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(waiter)
      this.dispatch()
    })
  }

  /** Grants every waiter that may start now, in arrival order, and sets the timer for the earliest wait on time. */
  private dispatch(): void {
    // `fn` may call back into the scheduler (run, pause) before it returns: go round again instead of nesting.
    if (this.dispatching) {
      this.again = true
      return
    }
    this.dispatching = true
    let wake: number
    try {
      do {
        this.again = false
        wake = this.grant()
      } while (this.again)
    } finally {
      this.dispatching = false
    }
    this.arm(wake)
  }

  /** One pass over the waiters; returns when the earliest wait on time ends (Infinity for none). */
  private grant(): number {
    const now = this.clock.now()
    this.window = this.window.filter(slot => slot.settled + this.limits.windowMs > now)
    const blocked = new Set<Lane>()
    let wake = Infinity
    for (const waiter of [...this.waiting]) {
      // A waiter cancelled by an `fn` started in this pass is gone.
      if (!this.waiting.includes(waiter)) continue
      if (blocked.has(waiter.lane)) continue // FIFO: nobody overtakes a blocked waiter of its lane
      const until = this.blockedUntil(waiter.lane, now)
      if (until > now) {
        blocked.add(waiter.lane)
        wake = Math.min(wake, until)
        continue
      }
      this.waiting.splice(this.waiting.indexOf(waiter), 1)
      this.take(waiter.lane, 1)
      waiter.start()
    }
    return wake
  }

  /**
   * When `lane` could start: `now` or earlier when it can start now, Infinity when it waits for a slot to be released
   * (a release dispatches again), else the moment its pause ends or its window slot frees.
   */
  private blockedUntil(lane: Lane, now: number): number {
    if (lane === 'download') return this.downloads < this.limits.maxDownloads ? now : Infinity
    if (lane === 'compare') return this.comparisons < (this.limits.maxComparisons ?? 1) ? now : Infinity
    if (this.inFlight >= this.limits.maxInFlight) return Infinity
    let until = this.pausedUntil[lane]
    const { window: held, limits } = this
    if (lane === 'request' && held.length >= limits.startsPerWindow) {
      // One more may start when all but startsPerWindow - 1 of the held slots have freed; Infinity while the one to
      // wait for is in flight (its release dispatches again).
      const settled = held.map(slot => slot.settled).sort((a, b) => a - b)
      until = Math.max(until, settled[held.length - limits.startsPerWindow] + limits.windowMs)
    }
    return until
  }

  /** Counts a slot of `lane` taken (1) or released (-1). */
  private take(lane: Lane, slots: 1 | -1): void {
    if (lane === 'download') this.downloads += slots
    else if (lane === 'compare') this.comparisons += slots
    else this.inFlight += slots
  }

  /** Keeps one timer for the earliest wait on time; an earlier one replaces it, none is needed when nobody waits. */
  private arm(at: number): void {
    if (this.waiting.length === 0) {
      this.timer?.controller.abort()
      this.timer = undefined
      return
    }
    // A later or no wake-up: the pending timer fires first and dispatch() then sets the next one.
    if (at === Infinity || (this.timer && this.timer.at <= at)) return
    this.timer?.controller.abort()
    const timer = { at, controller: new AbortController() }
    this.timer = timer
    this.clock.sleep(Math.max(1, at - this.clock.now()), timer.controller.signal).then(
      () => {
        if (this.timer === timer) this.timer = undefined
        this.dispatch()
      },
      () => undefined // replaced or no longer needed
    )
  }
}
