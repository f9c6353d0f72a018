import { HttpClient } from '@actions/http-client'
import type { Clock } from './clock.js'
import { TransientError } from './errors.js'
import { retry, type RetryPolicy } from './retry.js'
import type { Logger } from './toolkit.js'
import { describeErrorBody, readSmallBody, RETRYABLE_STATUS, send, stripQueries } from './transport.js'

/**
 * The few GitHub REST calls that find an earlier run's artifact: a run, and the artifacts of a name. Knows HTTP and
 * GitHub, nothing of the Action; a refused token is a GitHubAccessError carrying the status.
 */
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
}

export interface WorkflowRun {
  id: number
  workflowId: number
  headBranch: string | null
}

export interface RunArtifact {
  id: number
  name: string
  expired: boolean
  createdAt: string
  run: { id: number; headBranch: string | null }
}

/** GitHub refused the token (401/403), or knows no such repository (404). */
export class GitHubAccessError extends Error {
  constructor(
    readonly status: number,
    detail: string
  ) {
    super(`GitHub answered HTTP ${status} (${detail})`)
    this.name = 'GitHubAccessError'
  }
}

const POLICY: RetryPolicy = {
  operation: 'request',
  maxAttempts: 4,
  baseMs: 1000,
  capMs: 30_000
}
/** Pages of 100 artifacts looked through for a baseline, newest first. */
const MAX_PAGES = 10

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
      headBranch: stringOrNull(body.head_branch)
    }
  }

  /** The repository's artifacts of that name, newest first, page by page (at most MAX_PAGES of 100). */
  async *artifacts(name: string): AsyncGenerator<RunArtifact> {
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
            run: { id: Number(run.id), headBranch: stringOrNull(run.head_branch) }
          }
        })
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      yield* artifacts
      if (list.length < 100) return
    }
  }

  private get(path: string): Promise<Record<string, unknown>> {
    const { clock, signal, log, redact, requestTimeoutMs, token } = this.options
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}${path}`
    const what = `GitHub ${stripQueries(path)}`
    const context = {
      clock,
      signal,
      retryable: (error: unknown) => error instanceof TransientError,
      onRetry: (error: Error, attempt: number, waitMs: number) =>
        log.warning(`${error.message}; retrying in ${(waitMs / 1000).toFixed(1)}s (attempt ${attempt + 1})`)
    }
    return retry(POLICY, context, async () => {
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
      const detail = (): string => describeErrorBody(redact(text))
      if (status === 401 || status === 403 || status === 404) throw new GitHubAccessError(status, detail())
      if (RETRYABLE_STATUS.has(status))
        throw new TransientError(`GitHub answered HTTP ${status} for ${what} (${detail()})`)
      if (status < 200 || status >= 300)
        throw new Error(`GitHub answered HTTP ${status} for ${what}: ${detail()}`)
      try {
        return JSON.parse(text) as Record<string, unknown>
      } catch {
        throw new TransientError(`GitHub answered ${status} for ${what} with a body that is not JSON`)
      }
    })
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}
