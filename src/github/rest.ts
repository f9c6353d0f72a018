// The few GitHub REST calls that find an earlier run's artifact: a run, and the artifacts of a name. Knows HTTP and
// GitHub, nothing of the Action. A refused token is a GitHubAccessError carrying the status; GitHub's rate limits
// (a 429, or a 403 that says so) are waited out within the deadline, then a GitHubRateLimitError.
import { HttpClient } from '@actions/http-client'
import type { IncomingHttpHeaders } from 'node:http'
import type { Clock } from '../runtime/clock.js'
import { GitHubAccessError, GitHubRateLimitError, TransientError } from '../errors.js'
import { parseRetryAfter, retry, type RetryContext, type RetryPolicy } from '../net/retry.js'
import type { Logger } from '../runtime/toolkit.js'
import { describeErrorBody, readSmallBody, RETRYABLE_STATUS, send, stripQueries } from '../net/transport.js'

export interface GitHubOptions {
  /** `GITHUB_API_URL`: github.com, ghe.com or a stub. */
  apiUrl: string
  /** `owner/name`. */
  repository: string
  token: string
  clock: Clock
  signal: AbortSignal
  log: Logger
  redact: (text: string) => string
  requestTimeoutMs: number
  /** Epoch ms (on `clock`) past which no rate-limit wait may end. */
  deadline: number
}

export interface WorkflowRun {
  id: number
  workflowId: number
  headBranch: string | null
  /** `success`, `failure`, `cancelled`, …; null while the run is in progress. */
  conclusion: string | null
  /** `owner/name` of the repository the run's code came from (a fork's, for a pull request from a fork). */
  headRepository: string | null
  /** `owner/name` of the repository the run belongs to. */
  repository: string | null
}

export interface RunArtifact {
  id: number
  name: string
  expired: boolean
  createdAt: string
  run: { id: number; headBranch: string | null; fromFork: boolean }
}

const POLICY: RetryPolicy = {
  operation: 'request',
  maxAttempts: 4,
  baseMs: 1000,
  capMs: 30_000
}
/** How many rate limits one request waits out (within the deadline) before it gives up. */
const RATE_LIMIT_WAITS = 8
/** GitHub's advice for a secondary rate limit that names no wait: at least a minute. */
const SECONDARY_WAIT_MS = 60_000
/** Pages of 100 artifacts looked through for a baseline, newest first. */
const MAX_PAGES = 10

/** A rate limit GitHub answered, with the wait it asked for. */
class RateLimited extends TransientError {
  constructor(
    readonly status: number,
    readonly detail: string,
    retryAfterMs: number
  ) {
    super(`GitHub's API rate limit was reached (HTTP ${status}: ${detail})`, retryAfterMs)
  }
}

/**
 * The wait a rate-limit answer asks for, or undefined when it is not one. GitHub's rules: a 429, or a 403 whose
 * `x-ratelimit-remaining` is 0 (primary) or whose body mentions a rate limit (secondary); `Retry-After` first, then
 * `x-ratelimit-reset` (epoch seconds) when nothing remains, otherwise a minute.
 */
export function rateLimitWait(
  status: number,
  headers: IncomingHttpHeaders,
  body: string,
  now: number
): number | undefined {
  const exhausted = headers['x-ratelimit-remaining'] === '0'
  if (status !== 429 && !(status === 403 && (exhausted || /rate limit/i.test(body)))) return undefined
  const retryAfter = parseRetryAfter(headers['retry-after'], now)
  if (retryAfter !== undefined) return retryAfter
  const reset = Number(headers['x-ratelimit-reset'])
  if (exhausted && Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now) + 1000
  return SECONDARY_WAIT_MS
}

export class GitHub {
  private readonly http = new HttpClient('amplitude-cohort-export', [], {
    allowRetries: false,
    keepAlive: true
  })

  constructor(private readonly options: GitHubOptions) {}

  dispose(): void {
    this.http.dispose()
  }

  async run(id: string): Promise<WorkflowRun> {
    const body = await this.get(`/repos/${this.options.repository}/actions/runs/${encodeURIComponent(id)}`)
    return {
      id: Number(body.id),
      workflowId: Number(body.workflow_id),
      headBranch: stringOrNull(body.head_branch),
      conclusion: stringOrNull(body.conclusion),
      headRepository: fullName(body.head_repository),
      repository: fullName(body.repository)
    }
  }

  /** Whether the last listing of artifacts stopped at MAX_PAGES full pages (older ones were not looked at). */
  truncated = false

  /** The repository's artifacts of that name, newest first, page by page (at most MAX_PAGES of 100). */
  async *artifacts(name: string): AsyncGenerator<RunArtifact> {
    this.truncated = false
    for (let page = 1; page <= MAX_PAGES; page++) {
      const query = new URLSearchParams({ name, per_page: '100', page: String(page) })
      const body = await this.get(`/repos/${this.options.repository}/actions/artifacts?${query}`)
      const list = Array.isArray(body.artifacts) ? (body.artifacts as Record<string, unknown>[]) : []
      const artifacts = list
        .filter(a => a.name === name)
        .map(a => {
          const run = (a.workflow_run ?? {}) as Record<string, unknown>
          return {
            id: Number(a.id),
            name: String(a.name),
            expired: a.expired === true,
            createdAt: String(a.created_at ?? ''),
            run: {
              id: Number(run.id),
              headBranch: stringOrNull(run.head_branch),
              // Both IDs are listed for a run: different ones mean a pull request from a fork.
              fromFork:
                run.head_repository_id !== undefined &&
                run.repository_id !== undefined &&
                run.head_repository_id !== run.repository_id
            }
          }
        })
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      yield* artifacts
      if (list.length < 100) return
    }
    this.truncated = true
  }

  /**
   * One GET, as JSON. Failures a new attempt may fix are retried by the one retry policy; a rate limit is waited out
   * as GitHub asks, up to RATE_LIMIT_WAITS times and never past the deadline, without spending those retries.
   */
  private async get(path: string): Promise<Record<string, unknown>> {
    const { clock, signal, log } = this.options
    for (let waits = 0; ; waits++) {
      try {
        return await retry(POLICY, this.retryContext(), () => this.getOnce(path))
      } catch (error) {
        if (!(error instanceof RateLimited)) throw error
        const wait = error.retryAfterMs ?? SECONDARY_WAIT_MS
        if (waits >= RATE_LIMIT_WAITS || clock.now() + wait > this.options.deadline) {
          throw new GitHubRateLimitError(error.status, error.detail, wait)
        }
        log.warning(`${error.message}; waiting ${(wait / 1000).toFixed(1)}s as GitHub asks`)
        await clock.sleep(wait, signal)
      }
    }
  }

  private retryContext(): RetryContext {
    const { clock, signal, log, deadline } = this.options
    return {
      clock,
      signal,
      deadline: () => deadline,
      retryable: error => error instanceof TransientError && !(error instanceof RateLimited),
      onRetry: (error, attempt, waitMs) =>
        log.warning(`${error.message}; retrying in ${(waitMs / 1000).toFixed(1)}s (attempt ${attempt + 1})`)
    }
  }

  private async getOnce(path: string): Promise<Record<string, unknown>> {
    const { clock, signal, log, redact, requestTimeoutMs, token } = this.options
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}${path}`
    const what = `GitHub ${stripQueries(path)}`
    log.debug(`GET ${stripQueries(url)}`)
    const headers = {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${token}`,
      'x-github-api-version': '2022-11-28'
    }
    const response = await send(this.http, url, headers, what, {
      timeoutMs: requestTimeoutMs,
      signal,
      redact
    })
    const status = response.statusCode ?? 0
    const text = await readSmallBody(response, requestTimeoutMs, signal)
    const detail = describeErrorBody(redact(text))
    const wait = rateLimitWait(status, response.headers, text, clock.now())
    if (wait !== undefined) throw new RateLimited(status, detail, wait)
    if (status === 401 || status === 403 || status === 404) throw new GitHubAccessError(status, detail)
    if (RETRYABLE_STATUS.has(status))
      throw new TransientError(`GitHub answered HTTP ${status} for ${what} (${detail})`)
    if (status < 200 || status >= 300)
      throw new Error(`GitHub answered HTTP ${status} for ${what}: ${detail}`)
    try {
      return JSON.parse(text) as Record<string, unknown>
    } catch {
      throw new TransientError(`GitHub answered ${status} for ${what} with a body that is not JSON`)
    }
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function fullName(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null
  return stringOrNull((value as Record<string, unknown>).full_name)
}
