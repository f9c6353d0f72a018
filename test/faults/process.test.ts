// Faults that need the action as the runner starts it: a child process running dist/index.js (build it with
// `npm run bundle` after changing src/). Cancellation by SIGINT/SIGTERM while polling and while downloading must stop
// promptly, remove the temporary file and exit non-zero; while comparing, stop the worker thread, leave no change
// file and upload nothing; and against an https API, a redirect that downgrades to http
// is refused while a redirect to another https origin gets no credentials.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ACTION_ENTRY,
  errorLines,
  leaks,
  secretForms,
  resumeHintPattern,
  splitResumeHint,
  startAction,
  validInputs,
  withoutMaskCommands
} from '../support/action.mjs'
import { countRoutes, faultSuite, nonZero, record } from './support.js'

const { sim, cohort } = faultSuite({})
const started: Started[] = []
const dirs: string[] = []

beforeAll(() => {
  if (!existsSync(ACTION_ENTRY)) throw new Error('dist/index.js is missing: run `npm run bundle` first')
})
afterEach(() => {
  // A child that a failed assertion left running is stopped by its own pid.
  for (const action of started.splice(0)) if (action.running()) action.child.kill('SIGKILL')
})
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

type Started = ReturnType<typeof startAction>

/** Starts `node dist/index.js` as the runner does, with RUNNER_DEBUG=1; its folders are removed after the suite. */
function start(inputs: Record<string, string>, env: Record<string, string> = {}): Started {
  const action = startAction(inputs, { env: { RUNNER_DEBUG: '1', ...env } })
  started.push(action)
  dirs.push(action.root)
  return action
}

/** What the process printed so far, stdout and stderr. */
const output = (action: Started): string => action.stdout() + action.stderr()

async function waitFor(what: string, condition: () => boolean, action: Started, ms = 10_000): Promise<void> {
  const until = Date.now() + ms
  while (!condition()) {
    if (Date.now() > until || !action.running()) {
      throw new Error(`timed out waiting for ${what}; output so far:\n${output(action)}`)
    }
    await new Promise(r => setTimeout(r, 20))
  }
}

describe('cancellation (the runner sends SIGINT, then SIGTERM)', () => {
  it.each([
    ['SIGINT', 'polling'],
    ['SIGTERM', 'polling'],
    ['SIGINT', 'downloading'],
    ['SIGTERM', 'downloading']
  ] as const)(
    '%s while %s: stops promptly, exits non-zero, leaves nothing at path',
    async (signal, phase) => {
      const downloading = phase === 'downloading'
      // Polling: a job that takes a minute. Downloading: a large file whose body stalls half-way.
      const { id } = await cohort(
        `cancel-${phase}`,
        downloading ? { members: 100_000, props: true, polls: 0 } : { members: 10, jobMs: 60_000 }
      )
      if (downloading) sim.fault('file', { kind: 'stall', at: 0.5 })
      const out = mkdtempSync(join(tmpdir(), 'cancel-out-'))
      dirs.push(out)
      const path = join(out, 'members.csv')
      const before = sim.requests.length
      const started = Date.now()
      const action = start(
        validInputs(sim, id, { 'poll-interval': '200ms', 'upload-artifact': 'false', path })
      )
      if (downloading) {
        await waitFor('the download', () => output(action).includes('Downloading from'), action)
        // The temporary file exists beside path and has data in it.
        const partial = () => readdirSync(out).filter(f => /^\.members\.csv\.[0-9a-f]{12}\.partial$/.test(f))
        await waitFor(
          'the temporary file',
          () => partial().length === 1 && statSync(join(out, partial()[0])).size > 0,
          action
        )
      } else {
        await waitFor('polling', () => output(action).includes('Status: computing (JOB INPROGRESS)'), action)
      }
      const sent = Date.now()
      action.child.kill(signal)
      const exit = await action.closed
      const ms = exit.at - sent
      const [error, resume] = splitResumeHint(errorLines(action.stdout()).join('\n'))
      record(
        `${signal} while ${phase}`,
        { requests: countRoutes(sim.requests.slice(before)), ms: exit.at - started, error },
        `exit code ${exit.code} ${ms} ms after the signal; nothing left beside path`
      )
      expect(exit.signal).toBeNull() // it handled the signal and exited by itself
      expect(exit.code).toBe(1)
      expect(ms).toBeLessThan(3000)
      expect(error).toBe(`the run was cancelled (${signal})`)
      // Step 1 was spent: the error ends with the way to resume it.
      expect(resume).toMatch(resumeHintPattern(action.outputs().requestId))
      expect(readdirSync(out)).toEqual([])
      expect(action.outputs().finalStatus).toBe(downloading ? 'complete' : 'computing')
      expect(action.summary()).toContain(`the run was cancelled (${signal})`)
      expect(
        leaks(withoutMaskCommands(output(action)) + action.summary(), secretForms(sim.apiKey, sim.secretKey))
      ).toEqual([])
      expect(nonZero(countRoutes(sim.requests.slice(before)))).toEqual(
        downloading ? { request: 1, status: 1, file: 1 } : expect.objectContaining({ request: 1 })
      )
    }
  )
})

describe('cancellation during the comparison', () => {
  it('SIGTERM while comparing: the worker thread is stopped, nothing is uploaded, no change file is left', async () => {
    // Tonight: a small export in ID order. The baseline: 3 M members out of order, so the hash join spreads it on its
    // worker thread for a while (the signal comes as soon as the comparison's log group opens).
    const { id } = await cohort('cancel-compare', { members: 1000, polls: 0 })
    const out = mkdtempSync(join(tmpdir(), 'cancel-compare-'))
    dirs.push(out)
    const ids = Array.from({ length: 3_000_000 }, (_, i) => 3_000_000 - i)
    writeFileSync(join(out, 'baseline.csv'), `amplitude_id\n${ids.join('\n')}\n`)
    // An artifact service that records what reaches it: nothing must.
    const uploads: string[] = []
    const service = createHttpServer((req, res) => {
      uploads.push(req.url ?? '')
      res.writeHead(500).end()
    })
    service.listen(0, '127.0.0.1')
    await once(service, 'listening')
    try {
      const path = join(out, 'members.csv')
      const before = sim.requests.length
      const started = Date.now()
      const action = start(validInputs(sim, id, { path, 'compare-with': join(out, 'baseline.csv') }), {
        ACTIONS_RUNTIME_TOKEN: 'runtime-token',
        ACTIONS_RESULTS_URL: `http://127.0.0.1:${(service.address() as { port: number }).port}/`
      })
      await waitFor(
        'the comparison',
        () => action.stdout().includes('::group::Compare with the last export'),
        action
      )
      action.child.kill('SIGTERM')
      const exit = await action.closed
      const [error, resume] = splitResumeHint(errorLines(action.stdout()).join('\n'))
      record(
        'SIGTERM while comparing (hash join on the worker thread)',
        { requests: countRoutes(sim.requests.slice(before)), ms: exit.at - started, error },
        'exit code 1; the comparison never finished; no change or scratch file beside path; nothing uploaded'
      )
      expect(exit.signal).toBeNull()
      expect(exit.code).toBe(1)
      expect(error).toBe('the run was cancelled (SIGTERM)')
      expect(resume).toMatch(resumeHintPattern(action.outputs().requestId))
      // Stopped inside the comparison: it never reported which way it compared.
      expect(action.stdout()).not.toMatch(/compared in one pass|compared by hash/)
      // The export itself stays at path; the comparison left nothing beside it.
      expect(readdirSync(out).sort()).toEqual(['baseline.csv', 'members.csv'])
      expect(uploads).toEqual([])
      expect(action.outputs().cohortFile).toBeUndefined()
    } finally {
      service.closeAllConnections()
      await new Promise(resolve => service.close(resolve))
    }
  })
})

// A self-signed certificate for 127.0.0.1, trusted by the child through NODE_EXTRA_CA_CERTS.
const openssl = spawnSync('openssl', ['version']).status === 0
const tls = openssl ? describe : describe.skip

tls('an https API (self-signed certificate trusted through NODE_EXTRA_CA_CERTS)', () => {
  let certDir = ''
  let key = ''
  let cert = ''
  const servers: Server[] = []
  const authorization = `Basic ${Buffer.from('https-api-key-5f1e:https-secret-9c2d').toString('base64')}`

  beforeAll(() => {
    certDir = mkdtempSync(join(tmpdir(), 'tls-'))
    dirs.push(certDir)
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem')
    ])
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`)
    key = readFileSync(join(certDir, 'key.pem'), 'utf8')
    cert = readFileSync(join(certDir, 'cert.pem'), 'utf8')
  })
  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections()
      await new Promise(r => server.close(r))
    }
  })

  async function listen(server: Server): Promise<number> {
    servers.push(server)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return (server.address() as { port: number }).port
  }

  /** A minimal https API: step 1 and step 2 answer at once, step 3 redirects to `location`. */
  async function httpsApi(location: () => string, seen: { path: string; headers: IncomingHttpHeaders }[]) {
    const server = createHttpsServer({ key, cert }, (req, res) => {
      seen.push({ path: req.url ?? '', headers: req.headers })
      if (req.headers.authorization !== authorization) return res.writeHead(403).end('{}')
      const path = req.url ?? ''
      if (path.startsWith('/api/5/cohorts/request-status/')) {
        return res.writeHead(200).end('{"request_id":"r1","async_status":"JOB COMPLETED"}')
      }
      if (path.endsWith('/file')) return res.writeHead(302, { location: location() }).end()
      return res.writeHead(202).end('{"request_id":"r1","cohort_id":"c1"}')
    })
    return `https://127.0.0.1:${await listen(server)}`
  }

  /** A storage host (http or https) that serves a small file and records what it was sent. */
  async function storage(secure: boolean, seen: IncomingHttpHeaders[]) {
    const handler = (req: { headers: IncomingHttpHeaders }, res: import('node:http').ServerResponse) => {
      seen.push(req.headers)
      res.writeHead(200, { 'content-type': 'text/csv' }).end('amplitude_id,user_id\n1,u1\n2,u2\n')
    }
    const server = secure ? createHttpsServer({ key, cert }, handler) : createHttpServer(handler)
    return `${secure ? 'https' : 'http'}://127.0.0.1:${await listen(server)}`
  }

  async function runAgainst(apiUrl: string) {
    const out = mkdtempSync(join(tmpdir(), 'tls-out-'))
    dirs.push(out)
    const path = join(out, 'members.csv')
    const [key, secret] = Buffer.from(authorization.slice(6), 'base64').toString().split(':')
    const startedAt = Date.now()
    const action = start(
      validInputs({ apiKey: key, secretKey: secret, apiUrl }, 'c1', { 'upload-artifact': 'false', path }),
      { NODE_EXTRA_CA_CERTS: join(certDir, 'cert.pem') }
    )
    const exit = await action.closed
    return {
      exit,
      out,
      path,
      ms: Date.now() - startedAt,
      error: splitResumeHint(errorLines(action.stdout()).join('\n'))[0]
    }
  }

  /**
   * Runs the action against an https API whose file link redirects to a storage host (http or https), and records
   * the run as `fault`; returns the run and what each server was sent.
   */
  async function redirectedTo(secure: boolean, fault: string) {
    const apiSeen: { path: string; headers: IncomingHttpHeaders }[] = []
    const storageSeen: IncomingHttpHeaders[] = []
    const host = await storage(secure, storageSeen)
    const api = await httpsApi(() => `${host}/cohort.csv?X-Amz-Signature=abc`, apiSeen)
    const run = await runAgainst(api)
    record(fault, {
      requests: { request: 1, status: 1, file: 1, storage: storageSeen.length },
      ms: run.ms,
      error: run.error
    })
    return { run, apiSeen, storageSeen }
  }

  it('an https → http downgrade redirect is refused: nothing is sent to the http URL', async () => {
    const { run, apiSeen, storageSeen } = await redirectedTo(
      false,
      'https API redirects the file to http (downgrade)'
    )
    expect(run.exit.code).toBe(1)
    expect(run.error).toMatch(
      /^the file redirect downgrades from https to http \(127\.0\.0\.1:\d+\); refusing to follow it$/
    )
    expect(storageSeen).toHaveLength(0)
    expect(apiSeen.map(r => r.headers.authorization)).toEqual([authorization, authorization, authorization])
    expect(readdirSync(run.out)).toEqual([])
  })

  it('an https redirect to another origin is followed without the credentials', async () => {
    const { run, storageSeen } = await redirectedTo(
      true,
      'https API redirects the file to another https origin'
    )
    expect(run.error).toBe('')
    expect(run.exit.code).toBe(0)
    expect(storageSeen).toHaveLength(1)
    expect(storageSeen[0].authorization).toBeUndefined()
    expect(readFileSync(run.path, 'utf8')).toBe('amplitude_id,user_id\n1,u1\n2,u2\n')
  })
})
