// HTTP transport under the Amplitude client: one GET with a time limit for the response headers and cancellation,
// and a reader for small bodies with an idle limit and a size cap. Failures that a new attempt may fix are
// TransientErrors whose messages carry no query string (pre-signed links carry signatures).
import type { HttpClient } from '@actions/http-client'
import type { IncomingMessage } from 'node:http'
import { IdleTimer, whenAborted } from '../runtime/clock.js'
import { CancelledError, messageOf, TransientError, UnexpectedResponseError } from '../errors.js'

/** HTTP statuses that a later attempt may get past: timeouts, rate limits, server errors. */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

export interface SendOptions {
  /** Longest wait for the status line and headers. */
  timeoutMs: number
  signal: AbortSignal
  /** Removes secrets from text that may echo them (an error from the socket layer). */
  redact: (text: string) => string
}

const MAX_SMALL_BODY_BYTES = 1 << 20

/** Strips the query string (signatures, tokens) from every URL or path in a text. */
export function stripQueries(text: string): string {
  return text.replace(/((?:https?:\/\/[^\s/?#'"]+)?\/[^\s?#'"]*)\?[^\s'"]*/g, '$1?…')
}

/** Sends one GET. `what` names the request in errors ("could not reach host for <what>: ECONNRESET"). */
export async function send(
  client: HttpClient,
  url: string,
  headers: Record<string, string>,
  what: string,
  options: SendOptions
): Promise<IncomingMessage> {
  const { signal, timeoutMs } = options
  if (signal.aborted) throw new CancelledError()
  const aborted = whenAborted(signal)
  let timer: IdleTimer | undefined
  const silent = new Promise<never>((_, reject) => {
    timer = new IdleTimer(timeoutMs, () => reject(new Error(`no response within ${timeoutMs}ms`)))
  })
  const pending = client.request('GET', url, null, headers)
  try {
    const response = await Promise.race([pending, aborted.promise, silent])
    return response.message
  } catch (error) {
    // A response that arrives after we gave up is never read: free its socket.
    pending.then(
      late => late.message.destroy(),
      () => undefined
    )
    if (error instanceof CancelledError) throw error
    const code = (error as NodeJS.ErrnoException).code
    const detail = options.redact(stripQueries(code ?? messageOf(error)))
    throw new TransientError(`could not reach ${new URL(url).host} for ${what}: ${detail}`)
  } finally {
    timer?.stop()
    aborted.off()
  }
}

/**
 * Reads a small body (JSON, an error page) with an idle limit and a size cap (1 MiB unless `maxBytes` says). Rejects
 * with TransientError on silence longer than `idleMs`, on a body that ends early or is too large, and with
 * CancelledError on abort.
 */
export function readSmallBody(
  message: IncomingMessage,
  idleMs: number,
  signal: AbortSignal,
  maxBytes = MAX_SMALL_BODY_BYTES
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const idle = new IdleTimer(idleMs, () =>
      finish(new TransientError(`no data for ${idleMs}ms while reading the response`))
    )
    const aborted = whenAborted(signal)
    aborted.promise.catch(error => finish(error))
    function finish(error?: Error): void {
      // destroy() below emits 'aborted' at once: the first reason wins, not the echo of our own destroy.
      if (settled) return
      settled = true
      idle.stop()
      aborted.off()
      message.removeAllListeners('data')
      if (error) {
        message.destroy()
        reject(error)
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'))
      }
    }
    message.on('data', (chunk: Buffer) => {
      idle.touch()
      size += chunk.length
      if (size > maxBytes) return finish(new TransientError('the response is larger than expected'))
      chunks.push(chunk)
    })
    message.on('end', () => finish())
    message.on('aborted', () => finish(new TransientError('the connection closed before the response ended')))
    message.on('error', error => finish(new TransientError(`the response failed: ${messageOf(error)}`)))
  })
}

/** A short excerpt of an error body: Amplitude's `details`/`error` text when it is JSON, S3's `<Message>` in XML. */
export function describeErrorBody(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>
    const error = body.error as Record<string, unknown> | string | undefined
    const details =
      typeof error === 'object' && error !== null
        ? ((error.metadata as Record<string, unknown> | undefined)?.details ?? error.message ?? error.type)
        : (error ?? body.message)
    if (typeof details === 'string' && details) return details.slice(0, 200)
  } catch {
    // not JSON: fall through
  }
  const xmlMessage = /<Message>([^<]{1,200})<\/Message>/.exec(text)?.[1]
  if (xmlMessage) return xmlMessage
  return text.replace(/\s+/g, ' ').trim().slice(0, 200)
}

/**
 * One path segment for an identifier: percent-encoded, and never `.` or `..` (which URL parsers resolve as dot
 * segments even when encoded), so no value can change which API path is requested.
 */
export function pathSegment(value: string, what: string): string {
  let encoded: string
  try {
    encoded = encodeURIComponent(value)
  } catch {
    throw new RangeError(`${what} is not valid text (it holds a lone surrogate)`)
  }
  if (encoded === '' || encoded === '.' || encoded === '..') {
    throw new RangeError(`${what} '${value}' cannot be used as a URL path segment`)
  }
  return encoded
}

/** A redirect the file download may follow: http(s) only, never from https down to http. */
export function checkRedirect(previous: URL, next: URL): URL {
  if (next.protocol !== 'https:' && next.protocol !== 'http:') {
    throw new UnexpectedResponseError(`the file redirect points to an unsupported scheme (${next.protocol})`)
  }
  if (previous.protocol === 'https:' && next.protocol === 'http:') {
    throw new UnexpectedResponseError(
      `the file redirect downgrades from https to http (${next.host}); refusing to follow it`
    )
  }
  return next
}
