// Network faults on each step, through the real HTTP stack: connections refused and reset, responses that stall
// before or after their headers. Each run must end in the correct file after recovery, or in a named error with
// nothing left at `path`; each records what it cost.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { STORAGE_HOST } from '../sim/amplitude-simulator.mjs'
import { nonZero, record, runExport, faultSuite } from './support.js'

const { sim, cohort } = faultSuite({ members: 2000, props: true, polls: 0 })

/** A port on 127.0.0.x that nothing listens on. */
async function closedPort(host: string): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, host, resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

describe('connection reset before the answer, on each step: retried, then the right file', () => {
  it.each([
    ['request', { download: 'inline' }, { request: 2, status: 1, file: 1 }],
    ['status', { download: 'inline' }, { request: 1, status: 2, file: 1 }],
    ['file', { download: 'inline' }, { request: 1, status: 1, file: 2 }],
    ['storage', { download: 'redirect', gzip: 'header' }, { request: 1, status: 1, file: 2, storage: 2 }]
  ] as const)('reset on %s', async (route, spec, cost) => {
    const { id, expected } = await cohort(`reset-${route}`, spec)
    sim.fault(route, { kind: 'reset' })
    const run = await runExport(sim, { 'cohort-id': id })
    record(`connection reset on \`${route}\``, run)
    expect(run.error).toBe('')
    expect(run.result.exitCode).toBe(0)
    expect(nonZero(run.requests)).toEqual(cost)
    expect(readFileSync(run.result.outputs.cohortFile).equals(readFileSync(expected.file))).toBe(true)
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(run.result.outputs.memberCount).toBe('2000')
    expect(run.result.tempFiles.sort()).toEqual([`amplitude-cohort-${id}.csv`, `amplitude-cohort-${id}.json`])
    const prefix = route === 'file' || route === 'storage' ? 'Download attempt 1 failed: ' : ''
    expect(run.result.stdout).toMatch(new RegExp(`::warning::${prefix}could not reach .*: ECONNRESET`))
  })

  it('reset on every attempt of step 1 ends within timeout with a named error and no file', async () => {
    const { id } = await cohort('reset-forever')
    sim.fault('request', { kind: 'reset', times: 10 })
    const run = await runExport(sim, { 'cohort-id': id, timeout: '2s' })
    record('connection reset on every `request` attempt, `timeout: 2s`', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^could not reach 127\.0\.0\.1:\d+ for cohort '.*': (ECONNRESET|socket hang up).*no time left within 'timeout' to retry$/
    )
    expect(run.ms).toBeLessThan(8000)
    expect(run.requests.request).toBeGreaterThanOrEqual(2)
    expect(run.requests.request).toBeLessThanOrEqual(3)
    expect(nonZero({ ...run.requests, request: 0 })).toEqual({})
    expect(run.result.tempFiles).toEqual([])
  })
})

describe('connection refused', () => {
  it('on the API: retried with backoff until timeout, then a named error', async () => {
    const port = await closedPort('127.0.0.1')
    const before = sim.requests.length
    const run = await runExport(sim, {
      'cohort-id': 'refused',
      'server-url': `http://127.0.0.1:${port}`,
      timeout: '2s'
    })
    const attempts = (run.result.stdout.match(/ECONNREFUSED/g) ?? []).length
    record(
      'connection refused by the API host, `timeout: 2s`',
      { ...run, requests: { request: attempts } },
      'attempts counted from the log: nothing listens, so no server counts them'
    )
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^could not reach 127\.0\.0\.1:\d+ for cohort 'refused': ECONNREFUSED; no time left within 'timeout' to retry$/
    )
    expect(attempts).toBeGreaterThanOrEqual(2)
    expect(attempts).toBeLessThanOrEqual(3)
    expect(run.ms).toBeLessThan(8000)
    expect(sim.requests.length).toBe(before)
    expect(run.result.tempFiles).toEqual([])
  })

  it('on the storage host: the API file link is asked again', async () => {
    const { id, expected } = await cohort('refused-storage', { download: 'redirect' })
    const port = await closedPort(STORAGE_HOST)
    sim.fault('file', {
      status: 302,
      headers: { location: `http://${STORAGE_HOST}:${port}/x.csv?X-Amz-Signature=s` }
    })
    const run = await runExport(sim, { 'cohort-id': id })
    record('connection refused by the storage host (once)', run)
    expect(run.error).toBe('')
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 2, storage: 1 })
    expect(run.result.stdout).toMatch(
      /Download attempt 1 failed: could not reach 127\.0\.0\.2:\d+ .*ECONNREFUSED/
    )
    expect(run.result.outputs.sha256).toBe(expected.sha256)
  })
})

describe('stalled responses are noticed by request-timeout (500ms)', () => {
  it.each([
    ['request', 'hang', { download: 'inline' }, { request: 2, status: 1, file: 1 }],
    ['request', 'stall', { download: 'inline' }, { request: 2, status: 1, file: 1 }],
    ['status', 'hang', { download: 'inline' }, { request: 1, status: 2, file: 1 }],
    ['status', 'stall', { download: 'inline' }, { request: 1, status: 2, file: 1 }],
    ['file', 'hang', { download: 'inline' }, { request: 1, status: 1, file: 2 }],
    ['file', 'stall', { download: 'inline' }, { request: 1, status: 1, file: 2 }],
    ['storage', 'hang', { download: 'redirect' }, { request: 1, status: 1, file: 2, storage: 2 }],
    [
      'storage',
      'stall',
      { download: 'redirect', gzip: 'magic' },
      { request: 1, status: 1, file: 2, storage: 2 }
    ]
  ] as const)('%s: %s', async (route, kind, spec, cost) => {
    const { id, expected } = await cohort(`${kind}-${route}`, { members: 20000, ...spec })
    sim.fault(route, { kind, at: 0.5 })
    const run = await runExport(sim, { 'cohort-id': id, 'request-timeout': '500ms' })
    record(
      kind === 'hang'
        ? `no answer at all on \`${route}\` (no headers)`
        : `stalled body on \`${route}\` (headers sent, body stops at 50%)`,
      run
    )
    expect(run.error).toBe('')
    expect(nonZero(run.requests)).toEqual(cost)
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(run.result.tempFiles.sort()).toEqual([`amplitude-cohort-${id}.csv`, `amplitude-cohort-${id}.json`])
    // Noticed after about request-timeout, not after the 3-minute default of the HTTP library.
    expect(run.ms).toBeLessThan(10000)
    const said =
      kind === 'hang'
        ? 'no response within 500ms'
        : route === 'file' || route === 'storage'
          ? 'the download stalled: no data for 500ms'
          : 'no data for 500ms while reading the response'
    const warnings = run.result.stdout.split('\n').filter(l => l.startsWith('::warning::'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(said)
  })

  it('a status request that never answers, every time, ends at timeout with a named error', async () => {
    const { id } = await cohort('hang-forever')
    sim.fault('status', { kind: 'hang', times: 10 })
    const run = await runExport(sim, { 'cohort-id': id, 'request-timeout': '500ms', timeout: '2s' })
    record('no answer on every `status` attempt, `timeout: 2s`', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(/no response within 500ms.*no time left within 'timeout' to retry$/)
    expect(run.ms).toBeLessThan(8000)
    expect(run.requests.request).toBe(1)
    expect(run.requests.file).toBe(0)
    expect(run.result.outputs.finalStatus).toBe('queued')
    expect(run.result.tempFiles).toEqual([])
  })
})
