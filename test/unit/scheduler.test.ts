import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import type { Clock } from '../../src/runtime/clock.js'
import { CancelledError } from '../../src/errors.js'
import { AMPLITUDE_LIMITS, type Endpoint, Scheduler, type SchedulerLimits } from '../../src/net/scheduler.js'
import { EventClock } from '../support/event-clock.js'
import { TestClock } from '../support/test-clock.js'

// Nothing here sleeps in real time. Tests of what starts when use an EventClock, on which overlapping waits overlap
// and times are exact; the others use the TestClock the action's tests run on, and the property runs on both.

const never = new AbortController().signal

function scheduler<C extends Clock = EventClock>(limits: Partial<SchedulerLimits> = {}, clock?: C) {
  const c = clock ?? (new EventClock() as Clock as C)
  return { clock: c, scheduler: new Scheduler({ ...AMPLITUDE_LIMITS, ...limits }, c) }
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>(r => (resolve = r))
  return { promise, resolve }
}

/** Lets `n` turns of the event loop go by (real interleaving, no time on any clock). */
async function tick(n = 10): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
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
    const { clock, scheduler: s } = scheduler({}, new TestClock())
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
    await tick()
    expect(g.now).toBe(5)
    for (const hold of holds) {
      hold.resolve()
      await tick()
      expect(g.now).toBeLessThanOrEqual(5)
    }
    await Promise.all(runs)
    expect(g.peak).toBe(5)
    // Waiting for a free slot needs no timer: a release wakes the next waiter.
    expect(clock.sleeps).toEqual([])
  })

  it('starts step-1 requests 4 per rolling minute: 12 starts at 0,0,0,0, 60 s ×4, 120 s ×4', async () => {
    const { clock, scheduler: s } = scheduler()
    const starts: number[] = []
    await Promise.all(
      Array.from({ length: 12 }, () => s.run('request', async () => void starts.push(clock.now()), never))
    )
    expect(starts).toEqual([0, 0, 0, 0, 60_000, 60_000, 60_000, 60_000, 120_000, 120_000, 120_000, 120_000])
    expect(s.started).toBe(12)
    // One timer for all the waiters, not one each.
    expect(clock.sleeps).toEqual([60_000, 60_000])
  })

  it('a step-1 request holds its window slot until a window after its answer, as Amplitude counts its arrival', async () => {
    const { clock, scheduler: s } = scheduler({ startsPerWindow: 2 })
    const starts: number[] = []
    const step1 = (ms: number) => async () => {
      starts.push(clock.now())
      await clock.sleep(ms, never)
    }
    // Answered after 5 s and 2 s: the next ones may start 60 s after each answer, not after each call.
    await Promise.all([s.run('request', step1(5_000), never), s.run('request', step1(2_000), never)])
    await Promise.all([s.run('request', step1(0), never), s.run('request', step1(0), never)])
    expect(starts).toEqual([0, 0, 62_000, 65_000])
  })

  describe.each([
    ['an EventClock', () => new EventClock()],
    ['a TestClock', () => new TestClock()]
  ])('property, on %s', (_, makeClock) => {
    // Arrivals and job lengths both in virtual time and in turns of the event loop (which move no virtual time), so
    // that step-1 requests meet the window's edges and each other in every order.
    const job = fc.record({
      kind: fc.constantFrom<Endpoint | 'download'>('request', 'request', 'status', 'file', 'download'),
      arrival: fc.integer({ min: 0, max: 20 }),
      arrivalMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 150_000 })),
      ticks: fc.integer({ min: 0, max: 20 }),
      ms: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 90_000 }))
    })

    it('at most 4 step-1 requests in any 60 s counted from their answers, 5 in flight, 2 downloads; each job runs once', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(job, { minLength: 1, maxLength: 16 }), async jobs => {
          const { clock, scheduler: s } = scheduler<Clock>({}, makeClock())
          const api = gauge()
          const downloads = gauge()
          const step1: { called: number; answered?: number }[] = []
          const work = (ticks: number, ms: number) => async () => {
            await tick(ticks)
            if (ms) await clock.sleep(ms, never)
          }
          const request = (fn: () => Promise<void>) => async () => {
            const now = clock.now()
            // Amplitude sees each earlier request arrive no later than its answer: at most 3 of them in the window.
            expect(step1.filter(r => (r.answered ?? Infinity) + 60_000 > now).length).toBeLessThanOrEqual(3)
            const entry: (typeof step1)[number] = { called: now }
            step1.push(entry)
            await fn()
            entry.answered = clock.now()
          }
          await Promise.all(
            jobs.map(async ({ kind, arrival, arrivalMs, ticks, ms }) => {
              await tick(arrival)
              if (arrivalMs) await clock.sleep(arrivalMs, never)
              if (kind === 'download') return s.download(downloads.wrap(work(ticks, ms)), never)
              const fn = api.wrap(work(ticks, ms))
              return s.run(kind, kind === 'request' ? request(fn) : fn, never)
            })
          )
          const calls = step1.map(r => r.called)
          for (let i = 0; i + 4 < calls.length; i++)
            expect(calls[i + 4] - calls[i]).toBeGreaterThanOrEqual(60_000)
          expect(api.peak).toBeLessThanOrEqual(5)
          expect(downloads.peak).toBeLessThanOrEqual(2)
          expect(s.started).toBe(jobs.filter(j => j.kind === 'request').length)
          expect(step1).toHaveLength(s.started)
        }),
        { numRuns: 100 }
      )
    })
  })

  it("a pause on 'status' delays status calls but not step-1 requests or file links; pauses only extend", async () => {
    const { clock, scheduler: s } = scheduler()
    const at: Record<string, number> = {}
    const record = (name: string) => async () => void (at[name] = clock.now())
    s.pause('status', 30_000)
    s.pause('status', 5_000) // shorter: changes nothing
    await Promise.all([
      s.run('status', record('status'), never),
      s.run('request', record('request'), never),
      s.run('file', record('file'), never)
    ])
    expect(at).toEqual({ status: 30_000, request: 0, file: 0 })
  })

  it('a pause set while a call waits extends its wait', async () => {
    const { clock, scheduler: s } = scheduler()
    s.pause('file', 10_000)
    let at = 0
    await Promise.all([
      s.run('file', async () => void (at = clock.now()), never),
      // A Retry-After arriving 5 s into the wait.
      clock.sleep(5_000, never).then(() => s.pause('file', 20_000))
    ])
    expect(at).toBe(25_000)
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
    const { clock, scheduler: s } = scheduler({ startsPerWindow: 1 })
    const order: string[] = []
    const log = (name: string) => async () => void order.push(`${name} at ${clock.now()}`)
    await s.run('request', log('request 1'), never)
    await Promise.all([
      s.run('request', log('request 2'), never),
      s.run('status', log('status'), never),
      // A file link answered half a second before the window frees: that release lets no step-1 request in early.
      s.run('file', async () => (await log('file')(), clock.sleep(59_500, never)), never)
    ])
    expect(order).toEqual(['request 1 at 0', 'status at 0', 'file at 0', 'request 2 at 60000'])
  })

  it('cancelling a waiter rejects with CancelledError and frees nothing it did not take', async () => {
    const { scheduler: s } = scheduler({}, new TestClock())
    const g = gauge()
    const holds = Array.from({ length: 5 }, () => deferred())
    const running = holds.map(hold =>
      s.run(
        'status',
        g.wrap(() => hold.promise),
        never
      )
    )
    await tick()
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
    await tick()
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
    class SpyClock extends TestClock {
      readonly signals: AbortSignal[] = []
      override sleep(ms: number, signal: AbortSignal): Promise<void> {
        this.signals.push(signal)
        return super.sleep(ms, signal)
      }
    }
    const { clock, scheduler: s } = scheduler({}, new SpyClock())
    s.pause('file', 60_000)
    const controller = new AbortController()
    const waiting = s.run('file', async () => undefined, controller.signal)
    controller.abort()
    await expect(waiting).rejects.toBeInstanceOf(CancelledError)
    expect(clock.signals).toHaveLength(1)
    expect(clock.signals[0].aborted).toBe(true)
  })

  it('a step-1 request cancelled while it waits for the window spends no start', async () => {
    const { scheduler: s } = scheduler({ startsPerWindow: 1 }, new TestClock())
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
    const { scheduler: s } = scheduler({}, new TestClock())
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
    const { scheduler: s } = scheduler({ maxInFlight: 1, maxDownloads: 1 }, new TestClock())
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
    const { clock, scheduler: s } = scheduler({}, new TestClock())
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
    await tick()
    expect(api.now).toBe(5)
    expect(downloads.now).toBe(2)
    for (const hold of holds) {
      hold.resolve()
      await tick()
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4])
    expect(downloads.peak).toBe(2)
    apiHolds.forEach(hold => hold.resolve())
    await Promise.all(apiRuns)
    expect(clock.sleeps).toEqual([])
  })
})
