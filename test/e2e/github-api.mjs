// A stub of the GitHub REST endpoints the action uses to find an earlier run's artifact: the run, the repository's
// artifacts by name (paged, newest first), and the artifact's zip, which redirects to the blob in Azurite that the
// results-service stub stored, so `@actions/artifact`'s real downloadArtifact path runs against it.
//
// Plain JavaScript (ESM) like the other stubs, so the jest tests, the demo and the benchmarks can all load it.
import { once } from 'node:events'
import { createServer } from 'node:http'

/**
 * @typedef {{ id: number, workflowId: number, headBranch: string, workflowRunBackendId: string,
 *   conclusion?: string | null, headRepository?: string }} Run
 *   `conclusion`: as GitHub reports the finished run (`success` when not set; null while in progress);
 *   `headRepository`: where the run's code came from (this repository when not set; a fork's for its pull request)
 * @typedef {{ method: string, path: string, authorization: string | undefined, status: number }} Call
 */

export class GitHubApi {
  /**
   * @param {{ results: import('./results-service.mjs').ResultsService, repository: string, token: string }} options
   *   `token`: the only token accepted (as `Bearer` or `token`); anything else is a 401.
   */
  constructor(options) {
    this.results = options.results
    this.repository = options.repository
    this.token = options.token
    /** @type {Map<number, Run>} */
    this.runs = new Map()
    /** @type {Set<number>} artifact IDs reported as expired */
    this.expired = new Set()
    /** @type {{ status: number, times: number, headers: Record<string, string>, message?: string }[]} */
    this.faults = []
    /** @type {Call[]} */
    this.calls = []
    /** Artifacts listed per page (GitHub's per_page, at most 100). */
    this.pageSize = 100
    /** Extra artifacts that exist only in listings (to test paging): `{ id, name, run, createdAt, expired }`. */
    this.listedOnly = []
    this.url = ''
  }

  /** Registers a workflow run, so that its artifacts (by its backend ID) are listed with it. @param {Run} run */
  addRun(run) {
    this.runs.set(run.id, run)
  }

  /**
   * The next `times` requests answer `status`, with these headers and message (GitHub's words for a 403 without).
   * @param {number} status @param {number} [times] @param {{ headers?: Record<string, string>, message?: string }} [how]
   */
  fail(status, times = 1, how = {}) {
    this.faults.push({ status, times, headers: how.headers ?? {}, message: how.message })
  }

  /** A repository's ID, as GitHub numbers repositories (stable per name). @param {string} fullName */
  repositoryId(fullName) {
    let id = 7
    for (const c of fullName) id = (id * 31 + c.charCodeAt(0)) % 1_000_000_007
    return id
  }

  /** @param {string} fullName */
  repositoryObject(fullName) {
    return { id: this.repositoryId(fullName), full_name: fullName }
  }

  /** Every artifact the results service holds for a registered run, as the REST API lists it, newest first. */
  listed(name) {
    const byBackend = new Map([...this.runs.values()].map(r => [r.workflowRunBackendId, r]))
    const stored = this.results.history
      .filter(a => a.finalized && !a.deleted && a.name === name && byBackend.has(a.workflowRunBackendId))
      .map(a => {
        const run = /** @type {Run} */ (byBackend.get(a.workflowRunBackendId))
        return {
          id: a.id,
          name: a.name,
          run,
          createdAt: a.createdAt.toISOString(),
          expired: this.expired.has(a.id)
        }
      })
    return [...stored, ...this.listedOnly.filter(a => a.name === name)].sort((a, b) =>
      b.createdAt.localeCompare(a.createdAt)
    )
  }

  async start() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(error => {
        if (!res.headersSent) json(res, 500, { message: String(error?.message ?? error) })
        else res.destroy()
      })
    })
    this.server.listen(0, '127.0.0.1')
    await once(this.server, 'listening')
    const { port } = /** @type {import('node:net').AddressInfo} */ (this.server.address())
    this.url = `http://127.0.0.1:${port}`
    return this
  }

  async stop() {
    if (!this.server) return
    const server = this.server
    this.server = undefined
    server.closeAllConnections()
    await new Promise(resolve => server.close(() => resolve(undefined)))
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async handle(req, res) {
    const url = new URL(req.url ?? '/', this.url)
    const call = {
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      authorization: req.headers.authorization,
      status: 0
    }
    this.calls.push(call)
    const reply = (status, body, headers = {}) => {
      call.status = status
      json(res, status, body, headers)
    }
    const auth = /^(?:Bearer|token) (\S+)$/i.exec(req.headers.authorization ?? '')
    if (!auth || auth[1] !== this.token) return reply(401, { message: 'Bad credentials' })
    const fault = this.faults[0]
    if (fault) {
      if (--fault.times <= 0) this.faults.shift()
      return reply(
        fault.status,
        {
          message:
            fault.message ?? (fault.status === 403 ? 'Resource not accessible by integration' : 'injected')
        },
        fault.headers
      )
    }
    const prefix = `/repos/${this.repository}/actions/`
    if (!url.pathname.startsWith(prefix)) return reply(404, { message: 'Not Found' })
    const rest = url.pathname.slice(prefix.length)
    let m
    if ((m = /^runs\/(\d+)$/.exec(rest))) {
      const run = this.runs.get(Number(m[1]))
      if (!run) return reply(404, { message: 'Not Found' })
      return reply(200, {
        id: run.id,
        workflow_id: run.workflowId,
        head_branch: run.headBranch,
        status: run.conclusion === null ? 'in_progress' : 'completed',
        conclusion: run.conclusion === undefined ? 'success' : run.conclusion,
        head_repository: this.repositoryObject(run.headRepository ?? this.repository),
        repository: this.repositoryObject(this.repository)
      })
    }
    if (rest === 'artifacts') {
      const name = url.searchParams.get('name') ?? ''
      const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), this.pageSize)
      const page = Number(url.searchParams.get('page') ?? 1)
      const all = this.listed(name)
      const artifacts = all.slice((page - 1) * perPage, page * perPage).map(a => ({
        id: a.id,
        name: a.name,
        expired: a.expired,
        created_at: a.createdAt,
        workflow_run: {
          id: a.run.id,
          head_branch: a.run.headBranch,
          repository_id: this.repositoryId(this.repository),
          head_repository_id: this.repositoryId(a.run.headRepository ?? this.repository)
        }
      }))
      return reply(200, { total_count: all.length, artifacts })
    }
    if ((m = /^artifacts\/(\d+)\/zip$/.exec(rest))) {
      const record = this.results.history.find(a => a.id === Number(m[1]) && !a.deleted)
      if (!record || this.expired.has(record.id)) return reply(410, { message: 'Artifact has expired' })
      call.status = 302
      res.writeHead(302, { location: this.results.signedUrl(record, 'r') }).end()
      return
    }
    return reply(404, { message: 'Not Found' })
  }
}

function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers
  })
  res.end(text)
}

/** @param {ConstructorParameters<typeof GitHubApi>[0]} options */
export async function startGitHubApi(options) {
  return new GitHubApi(options).start()
}
