// Secret hygiene. Every run of the fault suite already runs with RUNNER_DEBUG=1 and checks that no piece of any
// credential form is visible (runExport); the runs here add servers that echo the credentials back: in JSON and text
// error bodies, in XML from the storage host, in a status value, in a redirect URL. And the credentials go to the
// configured API origin only: never to a redirect target on another host or port. (A wrong secret, masked as well:
// job.test.ts, with the 403 it causes.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { STORAGE_HOST } from '../sim/amplitude-simulator.mjs'
import { leaks } from '../support/action.mjs'
import { faultSuite, nonZero, record, runExport, visibleText } from './support.js'

const { sim, cohort } = faultSuite({ members: 50, polls: 0 })
let other: Server
let otherUrl = ''
const otherSeen: IncomingHttpHeaders[] = []

beforeAll(async () => {
  // Another origin on the API's host (another port): serves a small valid file, records what it was sent.
  other = createServer((req, res) => {
    otherSeen.push(req.headers)
    res.writeHead(200, { 'content-type': 'text/csv' })
    res.end('amplitude_id,user_id\n1,elsewhere\n')
  })
  other.listen(0, '127.0.0.1')
  await once(other, 'listening')
  otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`
})
afterAll(async () => {
  other.closeAllConnections()
  await new Promise(resolve => other.close(resolve))
})

/** The pre-signed link signatures the simulator handed out: credentials for one minute, never to be logged. */
function signatures(): string[] {
  return [...sim.links.keys()]
}

describe('servers that echo the credentials back, with RUNNER_DEBUG=1', () => {
  it('a JSON error body echoing the Authorization header and key:secret (500 on step 1, retried)', async () => {
    const { id, expected } = await cohort('echo-500')
    sim.fault('request', { kind: 'echo', status: 500 })
    const run = await runExport(sim, { 'cohort-id': id })
    record('500 whose JSON body echoes `Authorization` and `key:secret`, once on `request`', run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    // The excerpt is still shown, with the secrets masked.
    expect(run.result.stdout).toMatch(
      /::warning::Amplitude answered HTTP 500 .*\(rejected Authorization: Basic \*\*\* \(\*\*\*:\*\*\*\) from 127\.0\.0\.1:\d+\)/
    )
    expect(nonZero(run.requests)).toEqual({ request: 2, status: 1, file: 1 })
  })

  it('a 403 that echoes them on a poll: the error names the credentials problem, not the credentials', async () => {
    const { id } = await cohort('echo-403')
    sim.fault('status', { kind: 'echo', status: 403 })
    const run = await runExport(sim, { 'cohort-id': id })
    record('403 whose JSON body echoes the credentials, on `status`', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^Amplitude refused the credentials \(HTTP 403: rejected Authorization: Basic \*\*\* \(\*\*\*:\*\*\*\)/
    )
    expect(run.result.summary).toContain('rejected Authorization: Basic ***')
  })

  it('a text body where the secret straddles the 200-character excerpt (400 on step 1)', async () => {
    const { id } = await cohort('echo-cut')
    // An excerpt cut before redaction would show the first half of the base64 credentials.
    const body = `${'x'.repeat(150)} Authorization: Basic ${sim.basicAuth} and key ${sim.apiKey}`
    sim.fault('request', { status: 400, body })
    const run = await runExport(sim, { 'cohort-id': id })
    record('400 whose text body has the credentials across the 200-character excerpt limit', run)
    expect(run.result.exitCode).toBe(1)
    // Redacted first, then cut: the credentials start before character 200 and end after it.
    expect(run.error).toMatch(
      /^Amplitude answered HTTP 400 for cohort '.*': x{150} Authorization: Basic \*\*\* and key \*\*\*$/
    )
  })

  it('basic-auth given instead of the key pair: every form it decodes to stays hidden', async () => {
    const { id, expected } = await cohort('echo-basic', { download: 'redirect' })
    sim.fault('file', { kind: 'echo', status: 503, times: 1 })
    const run = await runExport(sim, {
      'cohort-id': id,
      'api-key': '',
      'secret-key': '',
      'basic-auth': sim.basicAuth
    })
    record('`basic-auth` input; 503 echoing the credentials on `file`, once', run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(run.result.stdout).toMatch(
      /Download attempt 1 failed: Amplitude answered HTTP 503 .*rejected Authorization: Basic \*\*\* \(\*\*\*\)/
    )
  })

  it('the storage host echoing the key in its XML error, and a redirect URL carrying the secrets', async () => {
    const { id, expected } = await cohort('echo-storage', { download: 'redirect' })
    sim.fault('storage', {
      status: 403,
      body: `<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Bad key ${sim.apiKey}:${sim.secretKey}</Message></Error>`
    })
    // A redirect whose path and query carry the credentials: logged (debug) without query, path redacted.
    sim.fault('file', {
      status: 302,
      headers: {
        location: `http://${STORAGE_HOST}:1/${sim.apiKey}/x.csv?token=${sim.secretKey}&auth=${sim.basicAuth}`
      }
    })
    const run = await runExport(sim, { 'cohort-id': id })
    record('storage 403 echoing `key:secret` in XML, then a redirect URL carrying the secrets', run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(run.result.stdout).toContain(
      '::debug::Following redirect to http://127.0.0.2:1/***/x.csv (credentials: not sent)'
    )
    expect(run.result.stdout).toMatch(/the storage host answered 403 \(Bad key \*\*\*:\*\*\*\)/)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 3, storage: 2 })
  })

  it('an unknown status value that is the key itself', async () => {
    const { id } = await cohort('echo-status')
    sim.fault('status', { kind: 'unknown-status', body: `JOB ${sim.secretKey}` })
    const run = await runExport(sim, { 'cohort-id': id })
    record('status value containing the secret key, once', run)
    expect(run.error).toBe('')
    expect(run.result.stdout).toContain("unknown job status 'JOB ***'")
  })

  it('a storage request that never answers does not log the pre-signed link', async () => {
    const { id } = await cohort('silent-storage', { download: 'redirect' })
    sim.fault('storage', { kind: 'hang' })
    const run = await runExport(sim, { 'cohort-id': id, 'request-timeout': '300ms' })
    record('storage host never answers (`request-timeout: 300ms`): no signature logged', run)
    expect(run.error).toBe('')
    expect(signatures().length).toBeGreaterThan(0)
    expect(leaks(visibleText(run.result), signatures())).toEqual([])
    expect(run.result.stdout).not.toMatch(/X-Amz-Signature=[0-9a-f]/)
  })
})

describe('credentials go to the API origin only', () => {
  it('never to the storage host', async () => {
    const { id } = await cohort('to-storage', { download: 'redirect' })
    const run = await runExport(sim, { 'cohort-id': id })
    expect(run.error).toBe('')
    const storage = run.seen.filter(r => r.route === 'storage')
    expect(storage).toHaveLength(1)
    expect(storage[0].headers.authorization).toBeUndefined()
    for (const r of run.seen.filter(r => r.route !== 'storage')) {
      expect(r.headers.authorization).toBe(`Basic ${sim.basicAuth}`)
    }
  })

  it('never to another port on the API host', async () => {
    const { id } = await cohort('to-other-port')
    sim.fault('file', { status: 302, headers: { location: `${otherUrl}/cohort.csv` } })
    const before = otherSeen.length
    const run = await runExport(sim, { 'cohort-id': id })
    record('302 from `file` to another port on the API host', {
      ...run,
      requests: { ...run.requests, unknown: otherSeen.length - before }
    })
    expect(run.error).toBe('')
    expect(otherSeen.length - before).toBe(1)
    expect(otherSeen[before].authorization).toBeUndefined()
    expect(run.result.stdout).toContain('(credentials: not sent)')
    expect(run.result.outputs.memberCount).toBe('1')
  })

  it('a redirect within the API origin keeps them (it is the configured origin)', async () => {
    const { id, expected } = await cohort('same-origin')
    sim.fault('file', { status: 307, headers: { location: '?again=1' } })
    const run = await runExport(sim, { 'cohort-id': id })
    record('307 from `file` to the same API origin', run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    const files = run.seen.filter(r => r.route === 'file')
    expect(files).toHaveLength(2)
    for (const r of files) expect(r.headers.authorization).toBe(`Basic ${sim.basicAuth}`)
    expect(run.result.stdout).toContain('(credentials: API origin)')
  })

  it.each([
    [
      'a redirect loop',
      { status: 302, headers: { location: '?loop=1' }, times: 10 },
      /^too many redirects while downloading the file$/,
      6
    ],
    [
      'a redirect to ftp:',
      { status: 302, headers: { location: 'ftp://127.0.0.1/x.csv' } },
      /^the file redirect points to an unsupported scheme \(ftp:\)$/,
      1
    ],
    ['a 302 without Location', { status: 302 }, /^Amplitude answered 302 for the file without a Location$/, 1]
  ] as const)('%s is a named error', async (name, fault, message, files) => {
    const { id } = await cohort('bad-redirect')
    sim.fault('file', fault)
    const run = await runExport(sim, { 'cohort-id': id })
    record(`${name} on \`file\``, run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(message)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: files })
    expect(run.result.tempFiles).toEqual([])
  })
})
