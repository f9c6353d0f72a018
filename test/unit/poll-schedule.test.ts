import { describe, expect, it } from '@jest/globals'
import { DEFAULT_POLL_SCHEDULE, pollDelay } from '../../src/amplitude/poll-schedule.js'

const schedule = { ...DEFAULT_POLL_SCHEDULE, initialMs: 5000 }

/** Simulates polling a job of `jobMs` with the schedule; returns the polls spent and the detection lag. */
function simulate(jobMs: number, random: () => number): { polls: number; lagMs: number } {
  let t = 0
  for (let attempt = 1; ; attempt++) {
    t += pollDelay(schedule, attempt, t, undefined, random())
    if (t >= jobMs) return { polls: attempt, lagMs: t - jobMs }
  }
}

describe('pollDelay', () => {
  it('starts at poll-interval', () => {
    expect(pollDelay(schedule, 1, 0, undefined, 0)).toBe(5000)
  })

  it('grows with the elapsed time, up to the cap', () => {
    expect(pollDelay(schedule, 5, 30_000, undefined, 0)).toBe(5000)
    expect(pollDelay(schedule, 9, 100_000, undefined, 0)).toBe(10_000)
    expect(pollDelay(schedule, 30, 3_600_000, undefined, 0)).toBe(schedule.maxMs)
  })

  it('lets Retry-After win, even above the cap or below the interval', () => {
    expect(pollDelay(schedule, 3, 10_000, 120_000)).toBe(120_000)
    expect(pollDelay(schedule, 3, 10_000, 0)).toBe(0)
  })

  it('jitter only shortens a wait, by at most the jitter fraction', () => {
    for (const r of [0, 0.3, 0.999]) {
      const d = pollDelay(schedule, 9, 100_000, undefined, r)
      expect(d).toBeLessThanOrEqual(10_000)
      expect(d).toBeGreaterThanOrEqual(10_000 * (1 - schedule.jitter))
    }
  })

  it('never waits less than poll-interval unless jitter trims it', () => {
    for (let elapsed = 0; elapsed < 7_200_000; elapsed += 17_000) {
      expect(pollDelay(schedule, 2, elapsed, undefined, 0)).toBeGreaterThanOrEqual(5000)
    }
  })

  it.each([10_000, 60_000, 300_000, 1_800_000, 7_200_000])(
    'detects a %i ms job within max(poll-interval, 10%% of its duration)',
    jobMs => {
      let seed = 1
      const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646
      const { lagMs } = simulate(jobMs, random)
      expect(lagMs).toBeLessThanOrEqual(Math.max(5000, 0.1 * jobMs) + 1)
    }
  )

  it('spends far fewer requests than a fixed 5-second poller on long jobs', () => {
    const { polls } = simulate(2 * 3_600_000, () => 0.5)
    expect(polls).toBeLessThan(1440 / 4)
  })
})
