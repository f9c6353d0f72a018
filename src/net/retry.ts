// The one retry policy: exponential backoff with jitter, the server's Retry-After first, bounded attempts, and never a
// wait that ends past the deadline. Every retrying caller (the API's JSON requests, the download) goes through
// `retry()`; its clock is injected, so tests check the waits without sleeping through them.
import type { Clock } from '../runtime/clock.js'
import { CancelledError, GaveUpError, TransientError } from '../errors.js'

export interface RetryPolicy {
  /** What is retried, for the error when the retries run out. */
  operation: 'download' | 'request'
  maxAttempts: number
  /** The first backoff; each next one doubles, up to `capMs`. */
  baseMs: number
  capMs: number
  /** A Retry-After longer than this ends the retries instead of idling. */
  maxWaitMs?: number
}

export interface RetryContext {
  clock: Clock
  signal: AbortSignal
  /** Epoch ms (on `clock`) after which no wait may end, asked before each wait; undefined for none. */
  deadline?: () => number | undefined
  /** Whether a fresh attempt may fix this failure. */
  retryable(error: unknown): boolean
  /** The server's Retry-After carried by the error, in ms. */
  retryAfterMs?(error: unknown): number | undefined
  /** Called before each wait, e.g. to log a warning. */
  onRetry?(error: Error, attempt: number, waitMs: number): void
}

/**
 * The usual wiring: a TransientError (or what `alsoRetry` accepts) is retried, after the server's Retry-After when it
 * carried one.
 */
export function retryTransient(
  context: Omit<RetryContext, 'retryable' | 'retryAfterMs'>,
  alsoRetry: (error: unknown) => boolean = () => false
): RetryContext {
  return {
    ...context,
    retryable: error => error instanceof TransientError || alsoRetry(error),
    retryAfterMs: error => (error instanceof TransientError ? error.retryAfterMs : undefined)
  }
}

/** Backoff before attempt `attempt + 1`: exponential from `baseMs`, capped, with full jitter in the upper half. */
export function retryDelay(attempt: number, baseMs: number, capMs: number, random: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + (ceiling / 2) * random)
}

/**
 * Runs `attempt(n)` until it succeeds, a failure is not retryable, or the policy gives up (GaveUpError, carrying the
 * last failure). Cancellation is never retried.
 */
export async function retry<T>(
  policy: RetryPolicy,
  context: RetryContext,
  attempt: (n: number) => Promise<T>
): Promise<T> {
  const { clock, signal } = context
  for (let n = 1; ; n++) {
    try {
      return await attempt(n)
    } catch (error) {
      if (error instanceof CancelledError || signal.aborted || !context.retryable(error)) throw error
      const cause = error as Error
      if (n >= policy.maxAttempts) throw new GaveUpError(policy.operation, cause, n, 'attempts')
      const wait = context.retryAfterMs?.(error) ?? retryDelay(n, policy.baseMs, policy.capMs, clock.random())
      if (policy.maxWaitMs !== undefined && wait > policy.maxWaitMs) {
        throw new GaveUpError(policy.operation, cause, n, 'wait-too-long', wait)
      }
      const deadline = context.deadline?.()
      if (deadline !== undefined && clock.now() + wait > deadline) {
        throw new GaveUpError(policy.operation, cause, n, 'deadline', wait)
      }
      context.onRetry?.(cause, n, wait)
      await clock.sleep(wait, signal)
    }
  }
}

/**
 * Parses a Retry-After header: delta-seconds or an HTTP-date. Returns milliseconds from `now`, or undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (!text) return undefined
  const trimmed = text.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  // An HTTP-date names a weekday and a month; Date.parse alone would read '-5' as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
