import { HttpClient } from '@actions/http-client'
import type { IncomingMessage } from 'node:http'
import { AmplitudeError, CancelledError, messageOf, Redactor, TransientError } from './errors.js'
import { parseRetryAfter, retryDelay } from './poll-schedule.js'

/** The export job's status, in the one vocabulary the `finalStatus` output uses. */
export type JobStatus = 'queued' | 'computing' | 'complete' | 'failed' | 'unknown'

export interface StatusResult {
  status: JobStatus
  /** What the server said, for logs (`JOB INPROGRESS`, `computing`, …). */
  raw: string
  /** The server's Retry-After, when it gave one. */
  retryAfterMs?: number
}

export interface FileResponse {
  /** The body: read it, or destroy it. */
  body: IncomingMessage
  /** Where the body comes from, without query string (pre-signed links carry signatures). */
  source: string
  redirected: boolean
  contentLength?: number
  contentEncoding?: string
}

export interface Logger {
  info(message: string): void
  debug(message: string): void
  warning(message: string): void
}

export interface ClientOptions {
  baseUrl: string
  authorization: string
  redactor: Redactor
  /** Longest silence allowed while waiting for a response or between two chunks of a body. */
  requestTimeoutMs: number
  signal: AbortSignal
  log: Logger
  /** Attempts per request for transient failures (connection errors, 429, 5xx). */
  maxAttempts?: number
  /** Base of the exponential backoff between attempts. */
  retryBaseMs?: number
  /** Epoch ms after which no retry wait may end (the `timeout` input); undefined for none. */
  deadline?: () => number | undefined
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504])
const MAX_JSON_BYTES = 1 << 20
const MAX_REDIRECTS = 5
const USER_AGENT = 'amplitude-cohort-export'

/** Maps both status vocabularies (the live API's and the seed description's) onto one. */
export function normalizeStatus(value: unknown): JobStatus {
  if (typeof value !== 'string') return 'unknown'
  const text = value
    .trim()
    .toUpperCase()
    .replace(/[\s_-]+/g, ' ')
  switch (text) {
    case 'QUEUED':
    case 'JOB QUEUED':
      return 'queued'
    case 'COMPUTING':
    case 'JOB INPROGRESS':
    case 'JOB IN PROGRESS':
      return 'computing'
    case 'COMPLETE':
    case 'JOB COMPLETED':
      return 'complete'
    case 'FAILED':
    case 'JOB FAILED':
      return 'failed'
    default:
      return 'unknown'
  }
}

/** Waits `ms`, or rejects with CancelledError as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError())
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new CancelledError())
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** Strips the query string (signatures, tokens) from every URL or path in a text. */
function stripQueries(text: string): string {
  return text.replace(/((?:https?:\/\/[^\s/?#'"]+)?\/[^\s?#'"]*)\?[^\s'"]*/g, '$1?…')
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
    throw new AmplitudeError(`${what} is not valid text (it holds a lone surrogate)`)
  }
  if (encoded === '' || encoded === '.' || encoded === '..') {
    throw new AmplitudeError(`${what} '${value}' cannot be used as a URL path segment`)
  }
  return encoded
}

/**
 * Reads a (small) body with an idle timeout and a size cap. Rejects on silence longer than `idleMs`, on a body that
 * ends early, and on abort.
 */
export function readSmallBody(
  message: IncomingMessage,
  idleMs: number,
  signal: AbortSignal
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let timer = setTimeout(onIdle, idleMs)
    let settled = false
    function onIdle(): void {
      finish(new TransientError(`no data for ${idleMs}ms while reading the response`))
    }
    function onAbort(): void {
      finish(new CancelledError())
    }
    function finish(error?: Error): void {
      // destroy() below emits 'aborted' at once: the first reason wins, not the echo of our own destroy.
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      message.removeAllListeners('data')
      if (error) {
        message.destroy()
        reject(error)
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'))
      }
    }
    signal.addEventListener('abort', onAbort, { once: true })
    message.on('data', (chunk: Buffer) => {
      clearTimeout(timer)
      timer = setTimeout(onIdle, idleMs)
      size += chunk.length
      if (size > MAX_JSON_BYTES) return finish(new TransientError('the response is larger than expected'))
      chunks.push(chunk)
    })
    message.on('end', () => finish())
    message.on('aborted', () => finish(new TransientError('the connection closed before the response ended')))
    message.on('error', error => finish(new TransientError(`the response failed: ${messageOf(error)}`)))
  })
}

/** A short, secret-free excerpt of an error body: Amplitude's `details`/`error` text when it is JSON. */
function describeErrorBody(text: string): string {
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

/** The Behavioral Cohorts API: the three calls of an export, with retries, timeouts and credential hygiene. */
export class AmplitudeClient {
  private readonly http: HttpClient
  private readonly storage: HttpClient
  private readonly apiOrigin: string
  private readonly maxAttempts: number
  private readonly retryBaseMs: number
  /** Requests sent, by step, for the logs and the reliability report. */
  readonly sent = { request: 0, status: 0, file: 0, storage: 0 }

  constructor(private readonly options: ClientOptions) {
    const requestOptions = {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: true,
      // Only a backstop that closes the socket: our own timers (send, readSmallBody, saveBody) notice the silence
      // first, so the error says what stalled instead of "the connection closed".
      socketTimeout: Math.min(options.requestTimeoutMs * 2, 2 ** 31 - 1)
    }
    this.http = new HttpClient(USER_AGENT, [], requestOptions)
    // A separate client (and agent) for storage hosts, so no connection or header of the API is ever reused there.
    this.storage = new HttpClient(USER_AGENT, [], requestOptions)
    this.apiOrigin = new URL(options.baseUrl).origin
    this.maxAttempts = options.maxAttempts ?? 5
    this.retryBaseMs = options.retryBaseMs ?? 1000
  }

  dispose(): void {
    this.http.dispose()
    this.storage.dispose()
  }

  /** Step 1: asks Amplitude to prepare the cohort file. Spends one of the account's monthly cohort requests. */
  async requestExport(cohortId: string, includeProps: boolean, propKeys: string[]): Promise<string> {
    const query = new URLSearchParams({ props: includeProps ? '1' : '0' })
    for (const key of propKeys) query.append('propKeys', key)
    const url = `${this.options.baseUrl}/api/5/cohorts/request/${pathSegment(cohortId, 'the cohort ID')}?${query}`
    const { body } = await this.getJson(url, 'request', `cohort '${cohortId}'`)
    const requestId = body.request_id
    if (typeof requestId !== 'string' && typeof requestId !== 'number') {
      throw new AmplitudeError(
        `Amplitude accepted the export of cohort '${cohortId}' but returned no request_id; nothing to poll`
      )
    }
    const id = String(requestId)
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(id)) {
      throw new AmplitudeError(`Amplitude returned a request_id that is not a plain identifier`)
    }
    return id
  }

  /** Step 2: the job's status. */
  async getStatus(requestId: string): Promise<StatusResult> {
    const url = `${this.options.baseUrl}/api/5/cohorts/request-status/${pathSegment(requestId, 'the request ID')}`
    const { body, status, retryAfterMs } = await this.getJson(url, 'status', `export request '${requestId}'`)
    const raw = body.async_status ?? body.status
    let normalized = normalizeStatus(raw)
    // The live API says "still running" with 202 too; a 202 without a known status is still running.
    if (normalized === 'unknown' && raw === undefined && status === 202) normalized = 'computing'
    return {
      status: normalized,
      raw: typeof raw === 'string' ? raw : JSON.stringify(raw ?? null),
      retryAfterMs
    }
  }

  /**
   * Step 3: opens the membership file. Follows Amplitude's redirect to the storage host itself, so that the
   * credentials are sent to the API origin only: never to another host, port or scheme, never over a downgrade.
   * Errors from the storage host (an expired link, a dropped connection) are TransientErrors: the caller asks the API
   * link again for a fresh storage link.
   */
  async openFile(requestId: string): Promise<FileResponse> {
    let url = `${this.options.baseUrl}/api/5/cohorts/request/${pathSegment(requestId, 'the request ID')}/file`
    const first = await this.send(url, 'file', `the file of export request '${requestId}'`, true)
    let response = first
    let redirected = false
    for (let hop = 0; ; hop++) {
      const status = response.statusCode ?? 0
      if (status < 300 || status >= 400) break
      const location = response.headers.location
      response.resume()
      if (!location) throw new AmplitudeError(`Amplitude answered ${status} for the file without a Location`)
      if (hop >= MAX_REDIRECTS) throw new AmplitudeError(`too many redirects while downloading the file`)
      const previous = new URL(url)
      const next = new URL(location, previous)
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new AmplitudeError(`the file redirect points to an unsupported scheme (${next.protocol})`)
      }
      if (previous.protocol === 'https:' && next.protocol === 'http:') {
        throw new AmplitudeError(
          `the file redirect downgrades from https to http (${next.host}); refusing to follow it`
        )
      }
      url = next.href
      redirected = true
      const sameOrigin = next.origin === this.apiOrigin
      this.options.log.debug(
        `Following redirect to ${next.origin}${next.pathname} (credentials: ${sameOrigin ? 'API origin' : 'not sent'})`
      )
      response = await this.send(url, sameOrigin ? 'file' : 'storage', 'the file from storage', sameOrigin)
    }
    const status = response.statusCode ?? 0
    const source = (() => {
      const u = new URL(url)
      return `${u.origin}${u.pathname}`
    })()
    if (status !== 200) {
      const text = await readSmallBody(response, this.options.requestTimeoutMs, this.options.signal).catch(
        () => ''
      )
      // Redact before excerpting: an excerpt may cut a secret in half, and half a secret is no longer recognised.
      const detail = describeErrorBody(this.options.redactor.redact(text))
      if (redirected && new URL(url).origin !== this.apiOrigin) {
        // Expired or refused storage links are fixed by asking the API link again.
        throw new TransientError(`the storage host answered ${status} (${detail})`)
      }
      throw this.statusError(status, detail, `the file of export request '${requestId}'`, response)
    }
    const length = response.headers['content-length']
    return {
      body: response,
      source,
      redirected,
      contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
      contentEncoding: response.headers['content-encoding']?.toLowerCase()
    }
  }

  /** Sends one GET; network errors become TransientErrors with a secret-free, query-free message. */
  private async send(
    url: string,
    step: keyof AmplitudeClient['sent'],
    what: string,
    withCredentials: boolean
  ): Promise<IncomingMessage> {
    const { signal, redactor, log, requestTimeoutMs } = this.options
    if (signal.aborted) throw new CancelledError()
    const headers: Record<string, string> = {
      accept: step === 'status' || step === 'request' ? 'application/json' : '*/*'
    }
    if (withCredentials) headers.authorization = this.options.authorization
    const client = step === 'storage' ? this.storage : this.http
    this.sent[step]++
    log.debug(`GET ${stripQueries(url)}`)
    let onAbort: (() => void) | undefined
    let timer: NodeJS.Timeout | undefined
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new CancelledError())
      signal.addEventListener('abort', onAbort, { once: true })
    })
    // The wait for the status line and headers; the body has its own idle timers.
    const silent = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no response within ${requestTimeoutMs}ms`)),
        requestTimeoutMs
      )
    })
    const pending = client.request('GET', url, null, headers)
    try {
      const response = await Promise.race([pending, aborted, silent])
      return response.message
    } catch (error) {
      // A response that arrives after we gave up is never read: free its socket.
      pending.then(
        late => late.message.destroy(),
        () => undefined
      )
      if (error instanceof CancelledError) throw error
      const code = (error as NodeJS.ErrnoException).code
      const detail = redactor.redact(stripQueries(code ?? messageOf(error)))
      throw new TransientError(`could not reach ${new URL(url).host} for ${what}: ${detail}`)
    } finally {
      clearTimeout(timer)
      if (onAbort) signal.removeEventListener('abort', onAbort)
    }
  }

  private statusError(status: number, detail: string, what: string, response: IncomingMessage): Error {
    if (status === 401 || status === 403) {
      return new AmplitudeError(
        `Amplitude refused the credentials (HTTP ${status}: ${detail}). Check that 'api-key' and 'secret-key' (or ` +
          `'basic-auth') belong to the project that owns the cohort, and that 'region' matches it (EU projects use 'eu').`,
        status
      )
    }
    if (status === 404) {
      return new AmplitudeError(
        `Amplitude found no ${what} (HTTP 404: ${detail}). Check 'cohort-id' and 'region'.`,
        status
      )
    }
    if (RETRYABLE_STATUS.has(status)) {
      return new TransientError(
        `Amplitude answered HTTP ${status} for ${what} (${detail})`,
        parseRetryAfter(response.headers['retry-after'])
      )
    }
    return new AmplitudeError(`Amplitude answered HTTP ${status} for ${what}: ${detail}`, status)
  }

  /** GETs a JSON endpoint, retrying transient failures with backoff (Retry-After wins) within the deadline. */
  private async getJson(
    url: string,
    step: 'request' | 'status',
    what: string
  ): Promise<{ body: Record<string, unknown>; status: number; retryAfterMs?: number }> {
    const { signal, redactor, log, requestTimeoutMs } = this.options
    for (let attempt = 1; ; attempt++) {
      let waitMs: number | undefined
      try {
        const response = await this.send(url, step, what, true)
        const status = response.statusCode ?? 0
        const text = await readSmallBody(response, requestTimeoutMs, signal)
        if (status >= 200 && status < 300) {
          let body: unknown
          try {
            body = JSON.parse(text)
          } catch {
            throw new TransientError(`Amplitude answered ${status} for ${what} with a body that is not JSON`)
          }
          if (typeof body !== 'object' || body === null || Array.isArray(body)) {
            throw new TransientError(`Amplitude answered ${status} for ${what} with unexpected JSON`)
          }
          return {
            body: body as Record<string, unknown>,
            status,
            retryAfterMs: parseRetryAfter(response.headers['retry-after'])
          }
        }
        throw this.statusError(status, describeErrorBody(redactor.redact(text)), what, response)
      } catch (error) {
        if (!(error instanceof TransientError)) throw error
        if (attempt >= this.maxAttempts) {
          throw new TransientError(`${error.message}; gave up after ${attempt} attempts`)
        }
        waitMs = error.retryAfterMs ?? retryDelay(attempt, this.retryBaseMs)
        const deadline = this.options.deadline?.()
        if (deadline !== undefined && Date.now() + waitMs > deadline) {
          throw new TransientError(`${error.message}; no time left within 'timeout' to retry`)
        }
        log.warning(
          `${error.message}; retrying in ${(waitMs / 1000).toFixed(1)}s (attempt ${attempt + 1} of ${this.maxAttempts})`
        )
      }
      await sleep(waitMs, signal)
    }
  }
}
