import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { CancelledError } from '../../src/errors.js'
import { AMPLITUDE_LIMITS, type Endpoint, Scheduler, type SchedulerLimits } from '../../src/scheduler.js'
import { TestClock } from '../support/test-clock.js'

// Every wait goes through a TestClock: nothing here sleeps in real time.

/**
 * The TestClock without the real milliseconds underneath: `now()` moves only by the waits, so the times asserted are
 * exact (a TestClock reads `Date.now()` on each call, and two starts in one virtual instant can differ by a ms).
 */
class VirtualClock extends TestClock {
  private readonly base = Date.now()
  private waited = 0

  override now(): number {
    return this.base + this.waited
  }

  override sleep(ms: number, signal: AbortSignal): Promise<void> {
    const slept = super.sleep(ms, signal) // records the wait and calls onSleep first, as a TestClock does
    if (!signal.aborted) this.waited += ms
    return slept
  }
}
const never = new AbortController().signal

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>(r => (resolve = r))
  return { promise, resolve }
}

async function tick(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
}

/** Lets every pending callback (and the TestClock's waits) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise(resolve => setImmediate(resolve))
}

function scheduler(limits: Partial<SchedulerLimits> = {}, clock: TestClock = new VirtualClock()) {
  return { clock, scheduler: new Scheduler({ ...AMPLITUDE_LIMITS, ...limits }, clock) }
}

/**
 * A TestClock that calls `during` at the start of its first wait, before virtual time moves on: what `during` asks for
 * arrives while another call waits, as it would on a real clock.
 */
function interrupted(during: () => void): TestClock {
  let done = false
  return new VirtualClock(undefined, () => {
    if (done) return
    done = true
    during()
  })
}

/** Counts what runs at once, and remembers the most. */
function gauge() {
  const g = {
    now: 0,
    peak: 0,
    wrap<T>(fn: () => Promise<T>): () => Promise<T> {
      return async () => {
        g.peak = Math.max(g.peak, ++g.now)
        try {
          return await fn()
        } finally {
          g.now--
        }
      }
    }
  }
  return g
}

describe('Scheduler', () => {
  it("has Amplitude's documented limits", () => {
    expect(AMPLITUDE_LIMITS).toEqual({
      maxInFlight: 5,
      startsPerWindow: 4,
      windowMs: 60_000,
      maxDownloads: 2
    })
  })

  it('never runs more than maxInFlight Amplitude requests at once, across endpoints, and wakes on release', async () => {
    const { clock, scheduler: s } = scheduler()
    const g = gauge()
    const holds = Array.from({ length: 12 }, () => deferred())
    const endpoints: Endpoint[] = ['status', 'file', 'status', 'request', 'file', 'status']
    const runs = holds.map((hold, i) =>
      s.run(
        endpoints[i % endpoints.length],
        g.wrap(() => hold.promise),
        never
      )
    )
    await settle()
    expect(g.now).toBe(5)
    for (const hold of holds) {
      hold.resolve()
      await settle()
      expect(g.now).toBeLessThanOrEqual(5)
    }
    await Promise.all(runs)
    expect(g.peak).toBe(5)
    // Waiting for a free slot needs no timer: a release wakes the next waiter.
    expect(clock.sleeps).toEqual([])
  })

  it('starts step-1 requests 4 per rolling minute: 12 starts at 0,0,0,0, 60 s ×4, 120 s ×4', async () => {
    const { clock, scheduler: s } = scheduler()
    const t0 = clock.now()
    const starts: number[] = []
    await Promise.all(
      Array.from({ length: 12 }, () =>
        s.run('request', async () => void starts.push(clock.now() - t0), never)
      )
    )
    expect(starts).toEqual([0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 120_000, 120_000, 120_000, 120_000])
    expect(s.started).toBe(12)
    // One timer for all the waiters, not one each.
    expect(clock.sleeps).toEqual([60_000, 60_000])
  })

  it('property: never 5 step-1 starts within 60 s, never over 5 in flight nor 2 downloads, every job runs once', async () => {
    // Real interleaving (ticks of the event loop) moves no virtual time, so the scheduler's own waits decide when
    // step-1 requests start and the window is tested tightly; some jobs also take virtual time.
    const job = fc.record({
      kind: fc.constantFrom<Endpoint | 'download'>('request', 'request', 'status', 'file', 'download'),
      arrival: fc.integer({ min: 0, max: 30 }),
      ticks: fc.integer({ min: 0, max: 30 }),
      ms: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 90_000 }))
    })
    await fc.assert(
      fc.asyncProperty(fc.array(job, { minLength: 1, maxLength: 16 }), async jobs => {
        const { clock, scheduler: s } = scheduler()
        const api = gauge()
        const downloads = gauge()
        const starts: number[] = []
        const work = (ticks: number, ms: number) => async () => {
          await tick(ticks)
          if (ms) await clock.sleep(ms, never)
        }
        await Promise.all(
          jobs.map(async ({ kind, arrival, ticks, ms }) => {
            await tick(arrival)
            if (kind === 'download') return s.download(downloads.wrap(work(ticks, ms)), never)
            const fn = api.wrap(work(ticks, ms))
            return s.run(kind, kind === 'request' ? () => (starts.push(clock.now()), fn()) : fn, never)
          })
        )
        for (let i = 0; i + 4 < starts.length; i++)
          expect(starts[i + 4] - starts[i]).toBeGreaterThanOrEqual(60_000)
        expect(api.peak).toBeLessThanOrEqual(5)
        expect(downloads.peak).toBeLessThanOrEqual(2)
        expect(s.started).toBe(jobs.filter(j => j.kind === 'request').length)
        expect(starts).toHaveLength(s.started)
      }),
      { numRuns: 150 }
    )
  })

  it("a pause on 'status' delays status calls but not step-1 requests; pauses only extend", async () => {
    const at: Record<string, number> = {}
    const record = (name: string) => async () => void (at[name] = clock.now() - t0)
    const arrivals: Promise<void>[] = []
    // A step-1 request and a file link asked for while the status call waits out the pause.
    const clock = interrupted(() =>
      arrivals.push(s.run('request', record('request'), never), s.run('file', record('file'), never))
    )
    const s = new Scheduler(AMPLITUDE_LIMITS, clock)
    const t0 = clock.now()
    s.pause('status', 30_000)
    s.pause('status', 5_000) // shorter: changes nothing
    await s.run('status', record('status'), never)
    await Promise.all(arrivals)
    expect(arrivals).toHaveLength(2)
    expect(at).toEqual({ request: 0, file: 0, status: 30_000 })
  })

  it('a pause set while a call waits extends its wait', async () => {
    let extended = false
    const clock = new VirtualClock(undefined, () => {
      if (extended) return
      extended = true
      s.pause('file', 20_000) // a Retry-After arriving during the first wait
    })
    const s = new Scheduler(AMPLITUDE_LIMITS, clock)
    const t0 = clock.now()
    s.pause('file', 10_000)
    let at = 0
    await s.run('file', async () => void (at = clock.now() - t0), never)
    expect(at).toBe(20_000)
    expect(clock.sleeps).toEqual([10_000, 10_000])
  })

  it('is FIFO per endpoint', async () => {
    const { scheduler: s } = scheduler({ maxInFlight: 1 })
    const order: string[] = []
    const log = (name: string) => async () => void order.push(name)
    const hold = deferred()
    const first = s.run('status', () => hold.promise, never)
    const rest = ['A', 'B', 'C', 'D'].map((name, i) => s.run(i % 2 ? 'file' : 'status', log(name), never))
    hold.resolve()
    await Promise.all([first, ...rest])
    expect(order).toEqual(['A', 'B', 'C', 'D'])
  })

  it('a step-1 request waiting for the window holds back no other endpoint', async () => {
    const order: string[] = []
    const log = (name: string) => async () => void order.push(name)
    const arrivals: Promise<void>[] = []
    const clock = interrupted(() =>
      arrivals.push(s.run('status', log('status'), never), s.run('file', log('file'), never))
    )
    const s = new Scheduler({ ...AMPLITUDE_LIMITS, startsPerWindow: 1 }, clock)
    await s.run('request', log('request 1'), never)
    await s.run('request', log('request 2'), never)
    await Promise.all(arrivals)
    expect(order).toEqual(['request 1', 'status', 'file', 'request 2'])
  })

  it('cancelling a waiter rejects with CancelledError and frees nothing it did not take', async () => {
    const { scheduler: s } = scheduler()
    const g = gauge()
    const holds = Array.from({ length: 5 }, () => deferred())
    const running = holds.map(hold =>
      s.run(
        'status',
        g.wrap(() => hold.promise),
        never
      )
    )
    await settle()
    const controller = new AbortController()
    let called = false
    const cancelled = s.run('status', async () => void (called = true), controller.signal)
    const next = s.run(
      'file',
      g.wrap(async () => undefined),
      never
    )
    controller.abort()
    await expect(cancelled).rejects.toBeInstanceOf(CancelledError)
    await settle()
    // The cancelled waiter held no slot, so none was given back: the next one still waits.
    expect(g.now).toBe(5)
    expect(called).toBe(false)
    holds[0].resolve()
    await next
    expect(g.peak).toBe(5)
    holds.forEach(hold => hold.resolve())
    await Promise.all(running)
  })

  it('cancelling the last waiter stops the timer it was waiting on', async () => {
    class SpyClock extends VirtualClock {
      readonly signals: AbortSignal[] = []
      override sleep(ms: number, signal: AbortSignal): Promise<void> {
        this.signals.push(signal)
        return super.sleep(ms, signal)
      }
    }
    const clock = new SpyClock()
    const s = new Scheduler(AMPLITUDE_LIMITS, clock)
    s.pause('file', 60_000)
    const controller = new AbortController()
    const waiting = s.run('file', async () => undefined, controller.signal)
    controller.abort()
    await expect(waiting).rejects.toBeInstanceOf(CancelledError)
    expect(clock.signals).toHaveLength(1)
    expect(clock.signals[0].aborted).toBe(true)
  })

  it('a step-1 request cancelled while it waits for the window spends no start', async () => {
    const { scheduler: s } = scheduler({ startsPerWindow: 1 })
    await s.run('request', async () => undefined, never)
    const controller = new AbortController()
    let called = false
    const waiting = s.run('request', async () => void (called = true), controller.signal)
    controller.abort()
    await expect(waiting).rejects.toBeInstanceOf(CancelledError)
    expect(called).toBe(false)
    expect(s.started).toBe(1)
    // An already-cancelled run is refused at once and takes nothing either.
    await expect(s.run('status', async () => 1, controller.signal)).rejects.toBeInstanceOf(CancelledError)
    await expect(s.download(async () => 1, controller.signal)).rejects.toBeInstanceOf(CancelledError)
    expect(await s.run('request', async () => 'next', never)).toBe('next')
    expect(s.started).toBe(2)
  })

  it('a waiter cancelled by an fn starting just before it, in the same turn, never runs', async () => {
    const { scheduler: s } = scheduler()
    s.pause('file', 1000)
    s.pause('status', 1000)
    const controller = new AbortController()
    let called = false
    // Both become free at the same moment; the first one's fn cancels the second as it starts.
    const first = s.run('file', async () => controller.abort(), never)
    const second = s.run('status', async () => void (called = true), controller.signal)
    await first
    await expect(second).rejects.toBeInstanceOf(CancelledError)
    expect(called).toBe(false)
  })

  it('releases the slot when fn fails, whether it rejects or throws', async () => {
    const { scheduler: s } = scheduler({ maxInFlight: 1, maxDownloads: 1 })
    const boom = new Error('boom')
    await expect(s.run('status', async () => Promise.reject(boom), never)).rejects.toBe(boom)
    const throwing = (() => {
      throw boom
    }) as () => Promise<never>
    await expect(s.run('request', throwing, never)).rejects.toBe(boom)
    await expect(s.download(throwing, never)).rejects.toBe(boom)
    expect(await s.run('file', async () => 'ok', never)).toBe('ok')
    expect(await s.download(async () => 'ok', never)).toBe('ok')
    // A start counts when fn is called, even when it fails.
    expect(s.started).toBe(1)
  })

  it('runs at most 2 downloads at once, whatever the Amplitude requests do', async () => {
    const { clock, scheduler: s } = scheduler()
    const api = gauge()
    const downloads = gauge()
    const apiHolds = Array.from({ length: 5 }, () => deferred())
    const apiRuns = apiHolds.map(hold =>
      s.run(
        'file',
        api.wrap(() => hold.promise),
        never
      )
    )
    const holds = Array.from({ length: 5 }, () => deferred())
    const runs = holds.map((hold, i) =>
      s.download(
        downloads.wrap(async () => (await hold.promise, i)),
        never
      )
    )
    await settle()
    expect(api.now).toBe(5)
    expect(downloads.now).toBe(2)
    for (const hold of holds) {
      hold.resolve()
      await settle()
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4])
    expect(downloads.peak).toBe(2)
    apiHolds.forEach(hold => hold.resolve())
    await Promise.all(apiRuns)
    expect(clock.sleeps).toEqual([])
  })
})
