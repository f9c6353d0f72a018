// What an Amplitude answer means, as values: an error status as the error that says what to do (retry it, or the
// refusal with the server's words), and a JSON body as an object. Pure: the client sends and reads, these decide.
import type { IncomingHttpHeaders } from 'node:http'
import { AmplitudeRefusedError, TransientError } from '../errors.js'
import { parseRetryAfter } from '../net/retry.js'
import { RETRYABLE_STATUS } from '../net/transport.js'

/** The error of a non-2xx answer: a TransientError carrying Retry-After, or Amplitude's refusal. */
export function answerError(
  status: number,
  /** The server's words, redacted and shortened. */
  detail: string,
  /** What was asked for: `cohort 'abc'`, `export request 'req-1'`, … */
  what: string,
  headers: IncomingHttpHeaders
): Error {
  if (RETRYABLE_STATUS.has(status)) {
    const retryAfterMs = parseRetryAfter(headers['retry-after'])
    return new TransientError(`Amplitude answered HTTP ${status} for ${what} (${detail})`, retryAfterMs)
  }
  return new AmplitudeRefusedError(status, what, detail)
}

/** A 2xx answer's body as a JSON object; a body that is not one is a TransientError (a proxy's page, a cut body). */
export function jsonObject(text: string, status: number, what: string): Record<string, unknown> {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new TransientError(`Amplitude answered ${status} for ${what} with a body that is not JSON`)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TransientError(`Amplitude answered ${status} for ${what} with unexpected JSON`)
  }
  return body as Record<string, unknown>
}
