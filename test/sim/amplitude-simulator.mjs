// A local Amplitude Behavioral Cohorts API: a real HTTP server on 127.0.0.1 (the API host) and a second one on
// 127.0.0.2 (the pre-signed "S3" storage host). It follows Amplitude's live API (request, poll, download:
// https://amplitude.com/docs/apis/analytics/behavioral-cohorts) and is scriptable per cohort (job length, status codes
// and vocabulary, inline or redirected download, gzip) and per route (faults: error statuses with Retry-After,
// connection resets, truncated and stalled bodies). With `limits` it also enforces Amplitude's documented rate
// limits, answering 429 beyond them as the live API does. It also lists the cohorts (`GET /api/3/cohorts`, route
// `cohorts`), in the shape of the docs' sample (amplitude/amplitude-docs, content/collections/api/en/
// behavioral-cohorts.md) and of a recorded response; Amplitude's "Get usage" endpoint is not simulated, as its shape is
// not documented.
//
// Plain JavaScript (ESM) so that the jest tests, `npm run demo` and the benchmarks can all load it without a build,
// and on Node built-ins only, so that `node test/sim/serve.mjs` starts without node_modules (test/unit/self-test.test.ts).
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import { sha256File } from '../support/sha256.mjs'

export const API_HOST = '127.0.0.1'
export const STORAGE_HOST = '127.0.0.2'

/**
 * @typedef {'cohorts' | 'request' | 'status' | 'file' | 'storage'} Route
 *   `cohorts` is the list (`GET /api/3/cohorts`), which spends no cohort request; `request` is step 1, which does.
 * @typedef {{
 *   status?: number, headers?: Record<string,string>, body?: string,
 *   kind?: 'reset' | 'hang' | 'truncate' | 'short' | 'stall' | 'empty' | 'corrupt-gzip' | 'malformed-json'
 *     | 'no-request-id' | 'unknown-status' | 'echo',
 *   at?: number, times?: number
 * }} Fault
 *   A fault replaces the normal answer of a route `times` times (default 1):
 *   - `status` (+ `headers`, `body`): answer that status instead (e.g. 429 with Retry-After, 503, a 302 Location).
 *   - `reset`: destroy the connection before answering.
 *   - `hang`: read the request and never answer (no status line, no headers) until the client gives up.
 *   - `truncate`: send the headers (with the full Content-Length, unless the cohort has `contentLength: false`) and
 *     the first `at` fraction of the body, then drop the connection. On `request`/`status` the body is the JSON the
 *     route would answer.
 *   - `short`: like `truncate`, but the connection is closed cleanly (FIN): a body shorter than its Content-Length.
 *   - `stall`: send the headers and the first `at` fraction of the body, then send nothing more until closed.
 *   - `empty`: answer 200 with an empty body.
 *   - `corrupt-gzip`: answer gzip bytes that are cut and damaged (`Content-Encoding: gzip`).
 *   - `malformed-json`: answer 200/202 with a body that is not JSON.
 *   - `no-request-id`: step 1 answers 202 with a JSON body that lacks `request_id`.
 *   - `unknown-status`: step 2 answers 200 with `async_status` = `body` (default `JOB PAUSED`).
 *   - `echo`: answer `status` (default 500) with an Amplitude-shaped error body that echoes the request's
 *     Authorization header and the credentials it decodes to, as a misconfigured proxy or debug endpoint may.
 *
 * @typedef {{
 *   members?: number, props?: boolean, shuffle?: number, content?: string | Buffer,
 *   polls?: number, jobMs?: number, fail?: boolean,
 *   vocabulary?: 'live' | 'seed', requestStatus?: 200 | 202,
 *   download?: 'inline' | 'redirect', gzip?: false | 'header' | 'magic', contentLength?: boolean,
 *   linkTtlMs?: number, name?: string, archived?: boolean, size?: number, lastComputed?: number,
 *   listed?: Record<string, unknown>
 * }} CohortSpec
 *   - `members` (default 3) rows generated with deterministic ids, or the exact file `content`. The rows come in
 *     ID order, or in an order shuffled by the seed `shuffle` (Amplitude does not say how its files are ordered).
 *   - job length: `polls` status polls answer "in progress" before "complete" (default 1), or `jobMs` of wall time.
 *   - `fail`: the job ends failed instead of complete.
 *   - `vocabulary`: `live` (async_status, 202 then 200) or `seed` (status: queued/computing/complete/failed, 200).
 *   - `download`: `inline` (the file in the body of step 3) or `redirect` (302 to the storage host).
 *   - `gzip`: `header` (gzip with Content-Encoding), `magic` (gzip bytes, no header) or false.
 *   - `linkTtlMs`: lifetime of a pre-signed storage link (default 60 s, as on S3); 0 makes every link expired.
 *   - In the list of cohorts (`GET /api/3/cohorts`): `name` (default `Cohort <id>`), `archived` (default false),
 *     `size` (default the member count: `members`, or the records of `content`) and `lastComputed` (epoch seconds, as
 *     in Amplitude's samples; default the simulator's `now()` when the cohort was added). `listed` replaces or adds
 *     fields of the cohort's entry as served (odd types, missing fields: set one to `undefined` to leave it out).
 *     Archiving changes only the list: the export of an archived cohort is not documented.
 *
 * @typedef {{ startsPerWindow?: number, windowMs?: number, maxInFlight?: number }} Limits
 *   Amplitude's rate limits, enforced only when given (each field defaults to the documented value):
 *   - `startsPerWindow` (4) step-1 requests in any rolling `windowMs` (60 000); the next one is answered 429 with
 *     `Retry-After` = the seconds until the oldest start leaves the window. A step-1 request counts when it is let in,
 *     whatever its answer then is (a scripted fault, a 404 for an unknown cohort).
 *   - `maxInFlight` (5) API requests (request, status and file routes; not the storage host) being answered at once,
 *     from arrival until the response has been sent (for an inline file, the whole body); one more is answered 429
 *     with `Retry-After: 1` and is not counted as in flight.
 *   A throttled request consumes no scripted fault. Unauthenticated requests are refused (403) before any limit.
 */

const PROPS_HEADER = ['country', 'plan', 'note']

/** The numbers 0 … n-1 in an order shuffled by `seed` (Fisher–Yates with a linear congruential generator). */
function shuffled(n, seed) {
  const order = new Uint32Array(n)
  for (let i = 0; i < n; i++) order[i] = i
  let state = seed >>> 0
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    const j = Math.floor((state / 2 ** 32) * (i + 1))
    const t = order[i]
    order[i] = order[j]
    order[j] = t
  }
  return order
}

/** Deterministic CSV rows, properties with commas, quotes and line breaks to exercise quoted-CSV rules. */
function* generateRows(members, props, shuffle) {
  yield props ? `amplitude_id,user_id,${PROPS_HEADER.join(',')}\n` : 'amplitude_id,user_id\n'
  const countries = ['US', 'DE', 'FR', 'JP', 'BR']
  const plans = ['free', 'pro', 'enterprise']
  const order = shuffle === undefined ? undefined : shuffled(members, shuffle)
  for (let n = 0; n < members; n++) {
    const i = order ? order[n] : n
    const id = 100000000 + i
    if (!props) {
      yield `${id},user-${i}@example.com\n`
      continue
    }
    const note =
      i % 7 === 0 ? `"multi\nline, ""quoted"" note ${i}"` : i % 5 === 0 ? `"a, b and c ${i}"` : `note ${i}`
    yield `${id},user-${i}@example.com,${countries[i % 5]},${plans[i % 3]},${note}\n`
  }
}

/** Writes `members` generated rows to `file` in large writes; returns nothing. */
async function writeGenerated(file, members, props, shuffle) {
  const out = createWriteStream(file)
  let batch = []
  let size = 0
  for (const row of generateRows(members, props, shuffle)) {
    batch.push(row)
    size += row.length
    if (size >= 1 << 20) {
      if (!out.write(batch.join(''))) await once(out, 'drain')
      batch = []
      size = 0
    }
  }
  out.end(batch.join(''))
  await once(out, 'finish')
}

async function listen(server, host) {
  server.listen(0, host)
  await once(server, 'listening')
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  return `http://${host}:${port}`
}

export class AmplitudeSimulator {
  /**
   * @param {{ apiKey?: string, secretKey?: string, dir?: string, limits?: Limits, now?: () => number }} [options]
   *   `now` (default `Date.now`) is the simulator's clock for the limits window and for job lengths (`jobMs`); pass a
   *   test clock's, `() => clock.now()`, so that they run on the same virtual time as the action. Link lifetimes, timestamps in
   *   `requests` and the faults stay on real time.
   */
  constructor(options = {}) {
    this.apiKey = options.apiKey ?? 'sim-api-key-0123456789abcdef'
    this.secretKey = options.secretKey ?? 'sim-secret-key-fedcba9876543210'
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'amplitude-sim-'))
    this.ownsDir = !options.dir
    /** @type {{ route: Route | 'unknown', method: string, host: string, path: string, url: string, headers: import('node:http').IncomingHttpHeaders, status?: number, at: number, clockAt: number }[]} */
    this.requests = []
    /** @type {Map<string, CohortSpec & { file?: string, gzFile?: string }>} */
    this.cohorts = new Map()
    /** @type {Map<string, { cohortId: string, started: number, polls: number, props: string, propKeys: string[] }>} */
    this.jobs = new Map()
    /** @type {Map<Route, Fault[]>} */
    this.faults = new Map()
    /** @type {Map<string, { requestId: string, expires: number }>} */
    this.links = new Map()
    this.sockets = new Set()
    this.nextRequest = 1
    this.apiUrl = ''
    this.storageUrl = ''
    /** @type {Required<Limits> | undefined} */
    this.limits = options.limits && {
      startsPerWindow: 4,
      windowMs: 60_000,
      maxInFlight: 5,
      ...options.limits
    }
    const now = options.now ?? Date.now
    this.now = () => now()
    /** 429s sent because of `limits` (not the scripted faults). */
    this.throttled = 0
    /** API requests being answered now, and the most at once (tracked with or without `limits`). */
    this.inFlight = 0
    this.peakInFlight = 0
    /** `now()` of the step-1 requests let in, for the rolling window. */
    this.starts = []
  }

  /** Starts both servers; resolves to this simulator. */
  async start() {
    this.api = createServer((req, res) => this.handleApi(req, res))
    this.storage = createServer((req, res) => this.handleStorage(req, res))
    for (const server of [this.api, this.storage]) {
      server.on('connection', socket => {
        this.sockets.add(socket)
        socket.on('close', () => this.sockets.delete(socket))
      })
    }
    this.apiUrl = await listen(this.api, API_HOST)
    this.storageUrl = await listen(this.storage, STORAGE_HOST)
    return this
  }

  async close() {
    for (const socket of this.sockets) socket.destroy()
    await Promise.all(
      [this.api, this.storage]
        .filter(Boolean)
        .map(s => new Promise(resolve => s.close(() => resolve(undefined))))
    )
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true })
  }

  /** The Basic credentials the simulator accepts, in every form a user may hold them. */
  get basicAuth() {
    return Buffer.from(`${this.apiKey}:${this.secretKey}`).toString('base64')
  }

  /**
   * Defines (or redefines) a cohort. Generated files are written to disk once, so large cohorts stream like S3.
   * @param {string} cohortId
   * @param {CohortSpec} [spec]
   * @returns {Promise<{ file: string, bytes: number, sha256: string, members: number }>} the membership file as served
   *   (decompressed), for assertions.
   */
  async addCohort(cohortId, spec = {}) {
    const file = join(this.dir, `${encodeURIComponent(cohortId)}-${this.cohorts.size}.csv`)
    if (spec.content !== undefined) {
      const out = createWriteStream(file)
      out.end(spec.content)
      await once(out, 'finish')
    } else {
      await writeGenerated(file, spec.members ?? 3, spec.props ?? false, spec.shuffle)
    }
    let gzFile
    if (spec.gzip) {
      gzFile = `${file}.gz`
      await pipeline(createReadStream(file), createGzip({ level: 1 }), createWriteStream(gzFile))
    }
    const members = spec.content !== undefined ? countRecords(spec.content) : (spec.members ?? 3)
    this.cohorts.set(cohortId, {
      ...spec,
      file,
      gzFile,
      size: spec.size ?? members,
      lastComputed: spec.lastComputed ?? Math.floor(this.now() / 1000)
    })
    return {
      file,
      bytes: statSync(file).size,
      sha256: await sha256File(file),
      members: spec.content !== undefined ? -1 : (spec.members ?? 3)
    }
  }

  /**
   * Queues a fault on a route; it replaces the next normal answer(s) of that route.
   * @param {Route} route
   * @param {Fault} fault
   */
  fault(route, fault) {
    const list = this.faults.get(route) ?? []
    for (let i = 0; i < (fault.times ?? 1); i++) list.push(fault)
    this.faults.set(route, list)
  }

  /** Requests seen on a route. */
  count(route) {
    return this.requests.filter(r => r.route === route).length
  }

  // --- the API host -------------------------------------------------------------------------------------------------

  authorized(req) {
    const header = req.headers.authorization ?? ''
    return header === `Basic ${this.basicAuth}`
  }

  /**
   * Records a request in `requests` (its status once answered).
   * @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res
   * @param {Route | 'unknown'} route @param {string} host @param {string} path
   */
  record(req, res, route, host, path) {
    const entry = {
      route,
      method: req.method ?? 'GET',
      host,
      path,
      url: req.url ?? '',
      headers: req.headers,
      /** @type {number | undefined} */
      status: undefined,
      at: Date.now(),
      clockAt: this.now()
    }
    this.requests.push(entry)
    res.on('finish', () => (entry.status = res.statusCode))
  }

  handleApi(req, res) {
    const url = new URL(req.url ?? '/', this.apiUrl)
    const path = url.pathname
    /** @type {Route | 'unknown'} */
    let route = 'unknown'
    let m
    if (path === '/api/3/cohorts') route = 'cohorts'
    else if ((m = /^\/api\/5\/cohorts\/request-status\/([^/]+)$/.exec(path))) route = 'status'
    else if ((m = /^\/api\/5\/cohorts\/request\/([^/]+)\/file$/.exec(path))) route = 'file'
    else if ((m = /^\/api\/5\/cohorts\/request\/([^/]+)$/.exec(path))) route = 'request'
    this.record(req, res, route, API_HOST, path)
    if (req.method !== 'GET') return json(res, 405, { error: 'method not allowed' })
    if (route === 'unknown' || (route !== 'cohorts' && !m)) return json(res, 404, { error: 'Not found' })
    if (!this.authorized(req)) {
      return json(res, 403, {
        error: {
          http_code: 403,
          type: 'unspecified',
          metadata: { details: 'Invalid API/Secret Key combination' }
        }
      })
    }
    if (this.throttle(route, res)) return
    this.track(res)
    const fault = this.faults.get(route)?.shift()
    if (fault && this.applyFault(fault, req, res, route)) return
    if (route === 'cohorts') return this.listCohorts(url, res)
    const id = decodeURIComponent(/** @type {RegExpExecArray} */ (m)[1])
    if (route === 'request') return this.requestCohort(id, url, res, fault)
    if (route === 'status') return this.requestStatus(id, res, fault)
    return this.requestFile(id, req, res, fault)
  }

  /** Answers 429 when `limits` refuse this request; returns whether it did. */
  throttle(route, res) {
    if (!this.limits) return false
    const { startsPerWindow, windowMs, maxInFlight } = this.limits
    if (this.inFlight >= maxInFlight) {
      return this.tooMany(
        res,
        1,
        `Too many concurrent requests: at most ${maxInFlight} at once across the API`
      )
    }
    if (route !== 'request') return false
    const now = this.now()
    this.starts = this.starts.filter(at => at + windowMs > now)
    if (this.starts.length >= startsPerWindow) {
      const free = this.starts[this.starts.length - startsPerWindow] + windowMs
      return this.tooMany(
        res,
        Math.max(1, Math.ceil((free - now) / 1000)),
        `Too many cohort requests: at most ${startsPerWindow} per ${windowMs / 1000} seconds`
      )
    }
    this.starts.push(now)
    return false
  }

  tooMany(res, retryAfterSeconds, details) {
    this.throttled++
    const text = JSON.stringify({
      error: { http_code: 429, type: 'rate_limited', metadata: { details } }
    })
    res.writeHead(429, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'retry-after': String(retryAfterSeconds)
    })
    res.end(text)
    return true
  }

  /** Counts the request as in flight until its response has been sent or its connection closed. */
  track(res) {
    this.inFlight++
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight)
    let done = false
    const end = () => {
      if (done) return
      done = true
      this.inFlight--
    }
    res.on('finish', end)
    res.on('close', end)
  }

  /**
   * `GET /api/3/cohorts`: every cohort, each in the shape of Amplitude's sample (timestamps in epoch seconds), with
   * `syncMetadata` (none: `[]`) when `includeSyncInfo=true`. Costs no cohort request.
   */
  listCohorts(url, res) {
    const sync = url.searchParams.get('includeSyncInfo') === 'true'
    const cohorts = [...this.cohorts].map(([id, spec]) => {
      const computed = /** @type {number} */ (spec.lastComputed)
      const entry = {
        appId: 123456,
        archived: spec.archived ?? false,
        definition: { version: 3, countGroup: { name: 'User', is_computed: false }, cohortType: 'UNIQUES' },
        description: null,
        finished: true,
        id,
        name: spec.name ?? `Cohort ${id}`,
        owners: ['sim@example.com'],
        viewers: [],
        published: true,
        size: spec.size,
        type: 'redshift',
        lastMod: computed - 60,
        createdAt: computed - 3600,
        lastComputed: computed,
        hidden: false,
        metadata: null,
        view_count: null,
        popularity: null,
        last_viewed: null,
        chart_id: null,
        edit_id: null,
        is_predictive: false,
        is_official_content: false,
        location_id: null,
        shortcut_ids: [],
        ...(sync ? { syncMetadata: [] } : {}),
        ...spec.listed
      }
      return entry
    })
    return json(res, 200, { cohorts })
  }

  requestCohort(cohortId, url, res, fault) {
    const cohort = this.cohorts.get(cohortId)
    if (!cohort) return json(res, 404, { error: `Cohort ${cohortId} not found` })
    const requestId = `req-${this.nextRequest++}-${randomBytes(4).toString('hex')}`
    this.jobs.set(requestId, {
      cohortId,
      started: this.now(),
      polls: 0,
      props: url.searchParams.get('props') ?? '',
      propKeys: url.searchParams.getAll('propKeys')
    })
    if (fault?.kind === 'no-request-id') return json(res, 202, { cohort_id: cohortId })
    return json(res, cohort.requestStatus ?? 202, { request_id: requestId, cohort_id: cohortId })
  }

  requestStatus(requestId, res, fault) {
    const job = this.jobs.get(requestId)
    if (!job) return json(res, 404, { error: `Request ${requestId} not found` })
    const cohort = /** @type {CohortSpec} */ (this.cohorts.get(job.cohortId))
    job.polls++
    const base = { request_id: requestId, cohort_id: job.cohortId }
    if (fault?.kind === 'unknown-status') {
      return json(res, 200, { ...base, async_status: fault.body ?? 'JOB PAUSED' })
    }
    const done =
      cohort.jobMs !== undefined ? this.now() - job.started >= cohort.jobMs : job.polls > (cohort.polls ?? 1)
    if (cohort.vocabulary === 'seed') {
      const status = done ? (cohort.fail ? 'failed' : 'complete') : job.polls === 1 ? 'queued' : 'computing'
      return json(res, 200, { ...base, status })
    }
    if (!done) return json(res, 202, { ...base, async_status: 'JOB INPROGRESS' })
    return json(res, 200, { ...base, async_status: cohort.fail ? 'JOB FAILED' : 'JOB COMPLETED' })
  }

  requestFile(requestId, req, res, fault) {
    const job = this.jobs.get(requestId)
    if (!job) return json(res, 404, { error: `Request ${requestId} not found` })
    const cohort = /** @type {CohortSpec & { file: string, gzFile?: string }} */ (
      this.cohorts.get(job.cohortId)
    )
    if (cohort.fail) return json(res, 404, { error: 'Export job failed; no file' })
    const done =
      cohort.jobMs !== undefined ? this.now() - job.started >= cohort.jobMs : job.polls > (cohort.polls ?? 1)
    if (!done) return json(res, 409, { error: 'Export job not complete' })
    if (cohort.download === 'redirect') {
      const token = randomBytes(16).toString('hex')
      this.links.set(token, { requestId, expires: Date.now() + (cohort.linkTtlMs ?? 60_000) })
      const location = `${this.storageUrl}/amplitude-cohorts/${requestId}.csv?X-Amz-Expires=60&X-Amz-Signature=${token}`
      res.writeHead(302, { location, 'content-length': '0' })
      return res.end()
    }
    return this.sendFile(cohort, req, res, fault)
  }

  // --- the storage host ---------------------------------------------------------------------------------------------

  handleStorage(req, res) {
    const url = new URL(req.url ?? '/', this.storageUrl)
    this.record(req, res, 'storage', STORAGE_HOST, url.pathname)
    if (req.headers.authorization) {
      // What S3 answers when a pre-signed URL also carries an Authorization header.
      return xml(res, 400, 'InvalidArgument', 'Only one auth mechanism allowed')
    }
    const link = this.links.get(url.searchParams.get('X-Amz-Signature') ?? '')
    if (!link) return xml(res, 403, 'AccessDenied', 'Invalid signature')
    if (Date.now() >= link.expires) return xml(res, 403, 'AccessDenied', 'Request has expired')
    const fault = this.faults.get('storage')?.shift()
    if (fault && this.applyFault(fault, req, res, 'storage')) return
    const job = /** @type {{ cohortId: string }} */ (this.jobs.get(link.requestId))
    return this.sendFile(/** @type {any} */ (this.cohorts.get(job.cohortId)), req, res, fault)
  }

  /** Streams the cohort file (plain or gzip), or a truncated/stalled version of it when a fault says so. */
  sendFile(cohort, req, res, fault) {
    const source = cohort.gzip ? cohort.gzFile : cohort.file
    const size = statSync(source).size
    const headers = { 'content-type': 'text/csv' }
    if (cohort.gzip === 'header') headers['content-encoding'] = 'gzip'
    if (cohort.contentLength !== false) headers['content-length'] = String(size)
    if (fault?.kind === 'truncate' || fault?.kind === 'short' || fault?.kind === 'stall') {
      if (cohort.contentLength !== false) headers['content-length'] = String(size)
      res.writeHead(200, headers)
      const end = Math.max(0, Math.floor(size * (fault.at ?? 0.5)) - 1)
      const partial = createReadStream(source, { start: 0, end })
      partial.pipe(res, { end: false })
      partial.on('end', () => cutShort(res, fault.kind))
      return
    }
    res.writeHead(200, headers)
    if (req.method === 'HEAD') return res.end()
    createReadStream(source, { highWaterMark: 256 * 1024 }).pipe(res)
  }

  /** Applies a fault; returns false when the fault only modifies the normal answer (handled by the route). */
  applyFault(fault, req, res, route) {
    if (fault.kind === 'echo') {
      const authorization = req.headers.authorization ?? ''
      const decoded = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString('utf8')
      json(res, fault.status ?? 500, {
        error: {
          http_code: fault.status ?? 500,
          type: 'unspecified',
          metadata: {
            details: `rejected Authorization: ${authorization} (${decoded}) from ${req.headers.host}`
          }
        }
      })
      return true
    }
    if (fault.status) {
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.headers ?? {}) })
      res.end(fault.body ?? JSON.stringify({ error: `simulated ${fault.status}` }))
      return true
    }
    switch (fault.kind) {
      case 'reset':
        req.socket.destroy()
        return true
      case 'hang':
        // Never answer; close() (or the client giving up) destroys the socket.
        return true
      case 'truncate':
      case 'short':
      case 'stall': {
        // The file routes cut the real file (sendFile); the JSON routes cut the JSON they would answer.
        if (route === 'file' || route === 'storage') return false
        const text = JSON.stringify({
          request_id: 'req-cut-0000',
          cohort_id: 'cut',
          async_status: 'JOB COMPLETED'
        })
        res.writeHead(route === 'status' ? 200 : 202, {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(text))
        })
        res.write(text.slice(0, Math.floor(text.length * (fault.at ?? 0.5))))
        cutShort(res, fault.kind)
        return true
      }
      case 'empty':
        res.writeHead(200, { 'content-type': 'text/csv', 'content-length': '0' })
        res.end()
        return true
      case 'corrupt-gzip': {
        const bytes = Buffer.concat([
          Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03]),
          randomBytes(64)
        ])
        res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bytes.length) })
        res.end(bytes)
        return true
      }
      case 'malformed-json':
        res.writeHead(route === 'status' ? 202 : 200, { 'content-type': 'application/json' })
        res.end('{"request_id": "abc", <html>oops')
        return true
      default:
        return false
    }
  }
}

/** Ends a response that was cut short: drop the connection (`truncate`), close it cleanly (`short`) or hang. */
function cutShort(res, kind) {
  if (kind === 'truncate') setTimeout(() => res.socket?.destroy(), 20)
  else if (kind === 'short') setTimeout(() => res.socket?.end(), 20)
  // stall: keep the socket open, send nothing more; close() destroys it.
}

/** The records of a CSV text after its header: line breaks outside quotes, plus an unterminated last line. */
function countRecords(content) {
  const text = String(content)
  let records = 0
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') quoted = !quoted
    else if (c === '\n' && !quoted) records++
  }
  if (text.length > 0 && !text.endsWith('\n')) records++
  return Math.max(0, records - 1)
}

function json(res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function xml(res, status, code, message) {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** Starts a simulator; the caller closes it. */
export async function startSimulator(options) {
  return new AmplitudeSimulator(options).start()
}
