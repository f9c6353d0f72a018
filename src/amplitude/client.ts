// Amplitude's Behavioral Cohorts API: the three calls of an export, and the list of cohorts. Knows HTTP and Amplitude,
// nothing of the Action: its errors carry facts (status, what was asked, the server's words), not advice about inputs.
import { HttpClient } from '@actions/http-client'
import type { IncomingMessage } from 'node:http'
import type { Clock, Deadline } from '../runtime/clock.js'
import { type CohortInfo, parseCohortList } from '../config/cohort-list.js'
import { TransientError, UnexpectedResponseError } from '../errors.js'
import { isRequestId, type JobStatus, normalizeStatus } from './job-status.js'
import { answerError, jsonObject } from './responses.js'
import { parseRetryAfter, retry, retryTransient, type RetryPolicy } from '../net/retry.js'
import type { Endpoint, Scheduler } from '../net/scheduler.js'
import type { Logger } from '../runtime/toolkit.js'
import {
  checkRedirect,
  describeErrorBody,
  pathSegment,
  readSmallBody,
  send,
  stripQueries
} from '../net/transport.js'

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

export interface ClientOptions {
  baseUrl: string
  /** The Authorization header's value; sent to the API origin only. */
  authorization: string
  /** Longest silence allowed while waiting for a response or between two chunks of a body. */
  requestTimeoutMs: number
  signal: AbortSignal
  log: Logger
  clock: Clock
  /** Removes secrets from text a server sends back, before any excerpt is cut from it. */
  redact: (text: string) => string
  /** After which no retry wait may end; step 1 starts it when it is sent (`timeout` counts from there). */
  deadline?: Deadline
  /** Shared by every cohort of a step: Amplitude's rate limits across them (see scheduler.ts). */
  scheduler?: Scheduler
}

export type Step = 'cohorts' | 'request' | 'status' | 'file' | 'storage'
/** The steps whose answer is JSON. */
type JsonStep = 'cohorts' | 'request' | 'status'

/** The scheduler's lane of a JSON call: the list of cohorts shares the status polls' (both are light JSON calls). */
const laneOf = (step: JsonStep): Endpoint => (step === 'cohorts' ? 'status' : step)

/**
 * The largest list of cohorts read: every cohort of the project comes in one answer (no paging is documented), each
 * with its definition, so it can pass the 1 MiB the other JSON answers are allowed.
 */
const MAX_LIST_BYTES = 32 << 20

/** JSON requests: 5 attempts, backoff from 1 s to 30 s. */
const JSON_RETRY: RetryPolicy = { operation: 'request', maxAttempts: 5, baseMs: 1000, capMs: 30_000 }
const MAX_REDIRECTS = 5
const USER_AGENT = 'amplitude-cohort-export'

export class AmplitudeClient {
  private readonly http: HttpClient
  private readonly storage: HttpClient
  private readonly apiOrigin: string
  /** Requests sent, by step, for the logs and the reliability report. */
  readonly sent: Record<Step, number> = { cohorts: 0, request: 0, status: 0, file: 0, storage: 0 }

  constructor(private readonly options: ClientOptions) {
    const requestOptions = {
      allowRedirects: false,
      allowRetries: false,
      keepAlive: true,
      // Only a backstop that closes the socket: our own timers notice the silence first, so the error says what
      // stalled instead of "the connection closed".
      socketTimeout: Math.min(options.requestTimeoutMs * 2, 2 ** 31 - 1)
    }
    this.http = new HttpClient(USER_AGENT, [], requestOptions)
    // A separate client (and agent) for storage hosts, so no connection or header of the API is ever reused there.
    this.storage = new HttpClient(USER_AGENT, [], requestOptions)
    this.apiOrigin = new URL(options.baseUrl).origin
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
    // `timeout` counts from the moment step 1 is sent, after any wait for the scheduler.
    const { body } = await this.getJson(url, 'request', `cohort '${cohortId}'`, () =>
      this.options.deadline?.start()
    )
    const requestId = body.request_id
    if (typeof requestId !== 'string' && typeof requestId !== 'number') {
      throw new UnexpectedResponseError(
        `Amplitude accepted the export of cohort '${cohortId}' but returned no request_id; nothing to poll`
      )
    }
    const id = String(requestId)
    if (!isRequestId(id)) {
      throw new UnexpectedResponseError(`Amplitude returned a request_id that is not a plain identifier`)
    }
    return id
  }

  /**
   * The project's cohorts with their names and sizes (`GET /api/3/cohorts`). Spends no cohort request. Each entry is
   * read tolerantly (see cohort-list.ts); an answer without a `cohorts` array is an UnexpectedResponseError.
   */
  async listCohorts(): Promise<CohortInfo[]> {
    const { body } = await this.getJson(`${this.options.baseUrl}/api/3/cohorts`, 'cohorts', 'list of cohorts')
    return parseCohortList(body)
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
   * link again for a fresh storage link. Not retried here: the download retries the whole step.
   */
  async openFile(requestId: string): Promise<FileResponse> {
    const what = `the file of export request '${requestId}'`
    let url = `${this.options.baseUrl}/api/5/cohorts/request/${pathSegment(requestId, 'the request ID')}/file`
    let response = await this.limited('file', () => this.send(url, 'file', what))
    let redirected = false
    for (let hop = 0; ; hop++) {
      const status = response.statusCode ?? 0
      if (status < 300 || status >= 400) break
      const location = response.headers.location
      response.resume()
      if (!location)
        throw new UnexpectedResponseError(`Amplitude answered ${status} for the file without a Location`)
      if (hop >= MAX_REDIRECTS)
        throw new UnexpectedResponseError(`too many redirects while downloading the file`)
      const next = checkRedirect(new URL(url), new URL(location, url))
      url = next.href
      redirected = true
      const sameOrigin = next.origin === this.apiOrigin
      this.options.log.debug(
        `Following redirect to ${next.origin}${next.pathname} (credentials: ${sameOrigin ? 'API origin' : 'not sent'})`
      )
      const step = sameOrigin ? 'file' : 'storage'
      response = sameOrigin
        ? await this.limited('file', () => this.send(url, step, 'the file from storage'))
        : await this.send(url, step, 'the file from storage')
    }
    const status = response.statusCode ?? 0
    const final = new URL(url)
    if (status !== 200) {
      const detail = await this.errorDetail(response)
      // Expired or refused storage links are fixed by asking the API link again.
      if (final.origin !== this.apiOrigin)
        throw new TransientError(`the storage host answered ${status} (${detail})`)
      throw this.statusError('file', status, detail, what, response)
    }
    const length = response.headers['content-length']
    return {
      body: response,
      source: `${final.origin}${final.pathname}`,
      redirected,
      contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
      contentEncoding: response.headers['content-encoding']?.toLowerCase()
    }
  }

  /** Sends one GET; credentials go with it only to the API origin. */
  private send(url: string, step: Step, what: string): Promise<IncomingMessage> {
    const { signal, redact, log, requestTimeoutMs } = this.options
    const headers: Record<string, string> = {
      accept: step === 'file' || step === 'storage' ? '*/*' : 'application/json'
    }
    if (new URL(url).origin === this.apiOrigin) headers.authorization = this.options.authorization
    this.sent[step]++
    log.debug(`GET ${stripQueries(url)}`)
    const client = step === 'storage' ? this.storage : this.http
    return send(client, url, headers, what, { timeoutMs: requestTimeoutMs, signal, redact })
  }

  /** The server's words about an error, redacted before they are cut short (half a secret is not recognised). */
  private async errorDetail(response: IncomingMessage): Promise<string> {
    const { requestTimeoutMs, signal, redact } = this.options
    const text = await readSmallBody(response, requestTimeoutMs, signal).catch(() => '')
    return describeErrorBody(redact(text))
  }

  /** Runs one Amplitude request within the scheduler's limits, when there is one. */
  private limited<T>(step: Endpoint, fn: () => Promise<T>): Promise<T> {
    const { scheduler, signal } = this.options
    return scheduler ? scheduler.run(step, fn, signal) : fn()
  }

  private statusError(
    step: Endpoint,
    status: number,
    detail: string,
    what: string,
    response: IncomingMessage
  ): Error {
    const error = answerError(status, detail, what, response.headers)
    // A Retry-After holds back every cohort's requests to that endpoint, not just this one's.
    if (error instanceof TransientError && error.retryAfterMs !== undefined) {
      this.options.scheduler?.pause(step, error.retryAfterMs)
    }
    return error
  }

  /** GETs a JSON endpoint with the retry policy (Retry-After wins) within the deadline. */
  private getJson(
    url: string,
    step: JsonStep,
    what: string,
    /** Called as each attempt is sent. */
    onSend?: () => void
  ): Promise<{ body: Record<string, unknown>; status: number; retryAfterMs?: number }> {
    const { signal, log, clock } = this.options
    const context = retryTransient({
      clock,
      signal,
      deadline: () => this.options.deadline?.at,
      onRetry: (error: Error, attempt: number, waitMs: number) =>
        log.warning(
          `${error.message}; retrying in ${(waitMs / 1000).toFixed(1)}s ` +
            `(attempt ${attempt + 1} of ${JSON_RETRY.maxAttempts})`
        )
    })
    return retry(JSON_RETRY, context, () =>
      this.limited(laneOf(step), () => {
        onSend?.()
        return this.readJson(url, step, what)
      })
    )
  }

  /** One GET of a JSON endpoint, read whole. */
  private async readJson(
    url: string,
    step: JsonStep,
    what: string
  ): Promise<{ body: Record<string, unknown>; status: number; retryAfterMs?: number }> {
    const { signal, requestTimeoutMs } = this.options
    const response = await this.send(url, step, what)
    const status = response.statusCode ?? 0
    const text = await readSmallBody(
      response,
      requestTimeoutMs,
      signal,
      step === 'cohorts' ? MAX_LIST_BYTES : undefined
    )
    if (status < 200 || status >= 300) {
      throw this.statusError(
        laneOf(step),
        status,
        describeErrorBody(this.options.redact(text)),
        what,
        response
      )
    }
    const body = jsonObject(text, status, what)
    return {
      body,
      status,
      retryAfterMs: parseRetryAfter(response.headers['retry-after'])
    }
  }
}
