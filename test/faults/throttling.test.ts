// Amplitude's limits and server errors: 429 with Retry-After in seconds, as an HTTP-date, or without it, on step 1
// and on polls; 500/502/503/504 once and in bursts; retries are bounded and the overall `timeout` still holds.
import { describe, expect, it } from '@jest/globals'
import { type FaultRun, nonZero, record, runExport, faultSuite, waitedMs } from './support.js'

const { sim, cohort } = faultSuite({ members: 50, polls: 0 })

/**
 * The retry waits the action asked its clock for (poll waits here are under 400 ms: `poll-interval` is 100ms and the
 * jobs are short). The test clock skips them, so no test sleeps through a Retry-After or a backoff.
 */
function retryWaits(run: FaultRun): number[] {
  return run.result.sleeps.filter(ms => ms >= 400)
}

/** The one retry wait of a run, checked to lie within [min, max]. */
function expectOneWait(run: FaultRun, min: number, max: number): void {
  const waits = retryWaits(run)
  expect(waits).toHaveLength(1)
  expect(waits[0]).toBeGreaterThanOrEqual(min)
  expect(waits[0]).toBeLessThanOrEqual(max)
}

const throttled = JSON.stringify({
  error: { http_code: 429, type: 'rate_limited', message: 'Too many requests' }
})

describe('429 Too Many Requests on step 1 and on polls', () => {
  // Retry-After as an HTTP-date has one-second resolution, and is computed when the fault is queued: "3 s from now"
  // is a wait of 2 s to 3 s from then, less the time the run takes to reach its first request. The backoff from 1 s
  // is jittered within its upper half.
  const forms = [
    ['Retry-After: 1 (seconds)', () => ({ 'retry-after': '1' }), 1000, 1000],
    [
      'Retry-After: HTTP-date 3 s ahead',
      () => ({ 'retry-after': new Date(Date.now() + 3000).toUTCString() }),
      1500,
      3000
    ],
    ['no Retry-After (backoff from 1 s, jittered)', () => ({}), 500, 1000]
  ] as const

  it.each(
    (['request', 'status'] as const).flatMap(route =>
      forms.map(([name, headers, min, max]) => [route, name, headers, min, max] as const)
    )
  )('on %s, %s: waits as told, then succeeds', async (route, name, headers, min, max) => {
    const { id, expected } = await cohort(`429-${route}`)
    sim.fault(route, { status: 429, headers: headers(), body: throttled })
    const run = await runExport(sim, { 'cohort-id': id })
    record(`429 on \`${route}\`, ${name}`, run, `waited ${retryWaits(run)} ms before the retry`)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 1, [route]: 2 })
    expectOneWait(run, min, max)
    expect(run.result.stdout).toMatch(
      /::warning::Amplitude answered HTTP 429 .*\(Too many requests\); retrying in/
    )
  })

  it('a Retry-After beyond the timeout ends at once with a named error instead of waiting', async () => {
    const { id } = await cohort('429-long')
    sim.fault('status', { status: 429, headers: { 'retry-after': '3600' }, body: throttled })
    const run = await runExport(sim, { 'cohort-id': id, timeout: '5s' })
    record('429 on `status` with Retry-After: 3600, `timeout: 5s`', run, `failed after ${run.ms} ms`)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^Amplitude answered HTTP 429 for export request '.*' \(Too many requests\); no time left within 'timeout' to retry$/
    )
    // The hour-long Retry-After was not waited out (waiting would use up the 5 s timeout).
    expect(waitedMs(run)).toBeLessThan(5000)
    expect(retryWaits(run)).toEqual([])
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1 })
    expect(run.result.tempFiles).toEqual([])
  })

  it('an unreadable Retry-After falls back to backoff', async () => {
    const { id } = await cohort('429-garbage')
    sim.fault('request', { status: 429, headers: { 'retry-after': 'soon' }, body: throttled })
    const run = await runExport(sim, { 'cohort-id': id })
    record('429 on `request` with Retry-After: soon (unreadable)', run, `waited ${retryWaits(run)} ms`)
    expect(run.error).toBe('')
    expectOneWait(run, 500, 1000)
  })
})

describe('5xx', () => {
  it.each([500, 502, 503, 504])('%i once on step 1: retried after a backoff', async status => {
    const { id, expected } = await cohort(`http-${status}`)
    sim.fault('request', { status })
    const run = await runExport(sim, { 'cohort-id': id })
    record(`HTTP ${status} once on \`request\``, run, `waited ${retryWaits(run)} ms`)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(nonZero(run.requests)).toEqual({ request: 2, status: 1, file: 1 })
    expectOneWait(run, 500, 1000)
  })

  it('a burst of 500, 502, 503, 504 on polls (Retry-After: 0): four retries, then success', async () => {
    const { id, expected } = await cohort('burst')
    for (const status of [500, 502, 503, 504])
      sim.fault('status', { status, headers: { 'retry-after': '0' } })
    const run = await runExport(sim, { 'cohort-id': id })
    record('burst 500, 502, 503, 504 on `status` (Retry-After: 0)', run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 5, file: 1 })
    expect(run.result.stdout).toMatch(/attempt 5 of 5/)
  })

  it('503 five times in a row on polls: retries are bounded, then a named error', async () => {
    const { id } = await cohort('burst-5')
    sim.fault('status', { status: 503, headers: { 'retry-after': '0' }, times: 5 })
    const run = await runExport(sim, { 'cohort-id': id })
    record('503 × 5 on `status` (Retry-After: 0)', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^Amplitude answered HTTP 503 for export request '.*' \(simulated 503\); gave up after 5 attempts$/
    )
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 5 })
    expect(run.result.tempFiles).toEqual([])
  })

  it('502 then 504 on the file link: asked again with backoff, then the right file', async () => {
    const { id, expected } = await cohort('file-5xx', { download: 'redirect' })
    sim.fault('file', { status: 502 })
    sim.fault('file', { status: 504 })
    const run = await runExport(sim, { 'cohort-id': id })
    record('burst 502, 504 on `file`', run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 3, storage: 1 })
    expect(run.result.tempFiles.sort()).toEqual([`amplitude-cohort-${id}.csv`, `amplitude-cohort-${id}.json`])
  })

  it('500 from the storage host: the API file link is asked again', async () => {
    const { id, expected } = await cohort('storage-500', { download: 'redirect', gzip: 'header' })
    sim.fault('storage', {
      status: 500,
      body: '<Error><Code>InternalError</Code><Message>We encountered an internal error</Message></Error>'
    })
    const run = await runExport(sim, { 'cohort-id': id })
    record('HTTP 500 once on `storage`', run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 2, storage: 2 })
    expect(run.result.stdout).toMatch(
      /Download attempt 1 failed: the storage host answered 500 \(We encountered an internal error\)/
    )
  })

  it('a 4xx that retrying will not fix (400) is not retried', async () => {
    const { id } = await cohort('http-400')
    sim.fault('request', { status: 400, body: JSON.stringify({ error: 'Invalid propKeys' }) })
    const run = await runExport(sim, { 'cohort-id': id })
    record('HTTP 400 on `request`', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(/^Amplitude answered HTTP 400 for cohort '.*': Invalid propKeys$/)
    expect(nonZero(run.requests)).toEqual({ request: 1 })
  })
})
