import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { CancelledError, GaveUpError, TransientError } from '../../src/errors.js'
import {
  parseRetryAfter,
  retry,
  retryDelay,
  type RetryContext,
  type RetryPolicy
} from '../../src/net/retry.js'
import { TestClock } from '../support/test-clock.js'

const policy: RetryPolicy = { operation: 'request', maxAttempts: 4, baseMs: 1000, capMs: 30_000 }

/** A retry context on a test clock: every wait is recorded, none is slept. */
function context(clock: TestClock, extra: Partial<RetryContext> = {}): RetryContext {
  return {
    clock,
    signal: new AbortController().signal,
    retryable: error => error instanceof TransientError,
    retryAfterMs: error => (error as TransientError).retryAfterMs,
    ...extra
  }
}

/** An attempt that fails with `failures` in turn, then succeeds with the attempt number. */
function failing(...failures: Error[]): (n: number) => Promise<number> {
  return async n => {
    if (n <= failures.length) throw failures[n - 1]
    return n
  }
}

describe('retry', () => {
  it('retries transient failures with exponential backoff, and returns the first success', async () => {
    const clock = new TestClock(() => 1)
    const result = await retry(
      policy,
      context(clock),
      failing(new TransientError('a'), new TransientError('b'))
    )
    expect(result).toBe(3)
    expect(clock.sleeps).toEqual([1000, 2000])
  })

  it("waits what the server's Retry-After says instead of its own backoff", async () => {
    const clock = new TestClock()
    await retry(policy, context(clock), failing(new TransientError('429', 7000)))
    expect(clock.sleeps).toEqual([7000])
  })

  it('gives up after maxAttempts, carrying the last failure', async () => {
    const clock = new TestClock()
    const last = new TransientError('still down')
    const error = await retry(
      policy,
      context(clock),
      failing(...Array(4).fill(new TransientError('down')), last)
    )
      .then(() => undefined)
      .catch(e => e as GaveUpError)
    expect(error).toBeInstanceOf(GaveUpError)
    expect(error).toMatchObject({ operation: 'request', attempts: 4, reason: 'attempts' })
    expect(clock.sleeps).toHaveLength(3)
  })

  it('never starts a wait that would end past the deadline', async () => {
    const clock = new TestClock(() => 1)
    const deadline = clock.now() + 2500
    const error = await retry(
      policy,
      context(clock, { deadline: () => deadline }),
      failing(...Array(4).fill(new TransientError('x')))
    ).catch(e => e as GaveUpError)
    // 1000 fits; the next wait (2000) would end past the deadline.
    expect(clock.sleeps).toEqual([1000])
    expect(error).toMatchObject({ reason: 'deadline', attempts: 2, waitMs: 2000 })
  })

  it('refuses a Retry-After longer than maxWaitMs rather than idle', async () => {
    const clock = new TestClock()
    const error = await retry(
      { ...policy, maxWaitMs: 60_000 },
      context(clock),
      failing(new TransientError('busy', 3_600_000))
    ).catch(e => e as GaveUpError)
    expect(error).toMatchObject({ reason: 'wait-too-long', waitMs: 3_600_000, attempts: 1 })
    expect(clock.sleeps).toEqual([])
  })

  it('does not retry what is not retryable, nor a cancellation', async () => {
    const clock = new TestClock()
    const fatal = new Error('403')
    await expect(retry(policy, context(clock), failing(fatal))).rejects.toBe(fatal)
    const cancelled = new CancelledError()
    await expect(retry(policy, context(clock, { retryable: () => true }), failing(cancelled))).rejects.toBe(
      cancelled
    )
    expect(clock.sleeps).toEqual([])
  })

  it('stops waiting as soon as the run is cancelled', async () => {
    const clock = new TestClock()
    const controller = new AbortController()
    const attempt = async (): Promise<never> => {
      controller.abort()
      throw new TransientError('x')
    }
    await expect(
      retry(policy, context(clock, { signal: controller.signal }), attempt)
    ).rejects.toBeInstanceOf(Error)
    expect(clock.sleeps).toEqual([])
  })

  it('tells onRetry about every wait before it starts', async () => {
    const clock = new TestClock(() => 0)
    const seen: [string, number, number][] = []
    await retry(
      policy,
      context(clock, { onRetry: (error, n, ms) => seen.push([error.message, n, ms]) }),
      failing(new TransientError('a'), new TransientError('b'))
    )
    expect(seen).toEqual([
      ['a', 1, 500],
      ['b', 2, 1000]
    ])
  })

  it('property: waits are within [ceiling/2, ceiling] of the capped exponential, and attempts are bounded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        async (max, r) => {
          const clock = new TestClock(() => r)
          let attempts = 0
          await retry({ ...policy, maxAttempts: max }, context(clock), async () => {
            attempts++
            throw new TransientError('x')
          }).catch(() => undefined)
          expect(attempts).toBe(max)
          clock.sleeps.forEach((ms, i) => {
            const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** i)
            expect(ms).toBeGreaterThanOrEqual(ceiling / 2)
            expect(ms).toBeLessThanOrEqual(ceiling)
          })
        }
      )
    )
  })
})

describe('retryDelay', () => {
  it('doubles from the base, capped, jittered within the upper half', () => {
    expect(retryDelay(1, 1000, 30_000, 0)).toBe(500)
    expect(retryDelay(1, 1000, 30_000, 1)).toBe(1000)
    expect(retryDelay(3, 1000, 30_000, 1)).toBe(4000)
    expect(retryDelay(10, 1000, 30_000, 1)).toBe(30_000)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T12:00:00Z')
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['1.5', 1500],
    ['Sat, 28 Nov 2026 12:00:30 GMT', 30_000],
    ['Sat, 28 Nov 2026 11:59:00 GMT', 0]
  ])('%j → %i ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms)
  })

  it.each([undefined, '', 'soon', '-5'])('%j → undefined', value => {
    expect(parseRetryAfter(value, now)).toBeUndefined()
  })
})
