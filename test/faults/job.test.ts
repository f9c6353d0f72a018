// Export-job faults: the job fails (either vocabulary), does not complete within `timeout`, reports a status never
// seen before, answers malformed JSON, or step 1 returns no usable request_id; Amplitude refuses the credentials or
// knows no such cohort. Each ends in a correct export or a named error, never a crash.
import { describe, expect, it } from '@jest/globals'
import { leaks, secretForms } from '../support/action.mjs'
import { faultSuite, nonZero, record, runExport, visibleText, waitedMs } from './support.js'

const { sim, cohort } = faultSuite({ members: 50, polls: 0 })

describe('the job fails', () => {
  it.each([
    ['live', 'JOB FAILED'],
    ['seed', 'failed']
  ] as const)('%s vocabulary: %s is a named error, no file requested', async (vocabulary, raw) => {
    const { id } = await cohort('failed', { fail: true, polls: 2, vocabulary })
    const run = await runExport(sim, { 'cohort-id': id })
    record(`job ends \`${raw}\` after 2 polls in progress`, run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      new RegExp(`^Amplitude reported that the export job failed \\(${raw}\\) after `)
    )
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 3 })
    expect(run.result.outputs.requestId).toMatch(/^req-/)
    expect(run.result.outputs.finalStatus).toBe('failed')
    expect(run.result.tempFiles).toEqual([])
    expect(run.result.summary).toContain('export failed')
  })
})

describe('the job takes too long', () => {
  it('a job still computing at timeout is a named error naming the last status, no file requested', async () => {
    const { id } = await cohort('slow', { jobMs: 60_000 })
    const run = await runExport(sim, { 'cohort-id': id, timeout: '1.5s', 'poll-interval': '200ms' })
    record('job still in progress at `timeout: 1.5s`', run)
    // No wait ran past the timeout.
    expect(waitedMs(run)).toBeLessThanOrEqual(1500)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^the export job did not complete within 'timeout' \(1\.5s\): last status 'computing' \(JOB INPROGRESS\) after \d+(\.\d)?s and \d+ status requests/
    )
    expect(run.requests.request).toBe(1)
    expect(run.requests.status).toBeGreaterThanOrEqual(2)
    expect(run.requests.file).toBe(0)
    expect(run.result.outputs.requestId).toMatch(/^req-/)
    expect(run.result.outputs.finalStatus).toBe('computing')
    expect(run.result.tempFiles).toEqual([])
  })
})

describe('a status value never seen before', () => {
  it('is logged once, polling goes on, and the export completes', async () => {
    const { id, expected } = await cohort('unknown-then-done')
    sim.fault('status', { kind: 'unknown-status', body: 'JOB PAUSED', times: 3 })
    const run = await runExport(sim, { 'cohort-id': id })
    record('unknown status `JOB PAUSED` on 3 polls, then complete', run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    const warnings = run.result.stdout.split('\n').filter(l => l.startsWith('::warning::'))
    expect(warnings).toEqual([
      expect.stringMatching(
        /^::warning::Amplitude reported an unknown job status 'JOB PAUSED' after .*; still polling$/
      )
    ])
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 4, file: 1 })
    expect(run.result.outputs.finalStatus).toBe('complete')
  })

  it('for ever: polling goes on until timeout, then a named error (not a crash)', async () => {
    const { id } = await cohort('unknown-forever')
    sim.fault('status', { kind: 'unknown-status', body: 'JOB ON HOLD', times: 1000 })
    const run = await runExport(sim, { 'cohort-id': id, timeout: '1.5s', 'poll-interval': '200ms' })
    record('unknown status `JOB ON HOLD` on every poll, `timeout: 1.5s`', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^the export job did not complete within 'timeout' \(1\.5s\): last status 'unknown' \(JOB ON HOLD\) after \d+(\.\d)?s and \d+ status requests/
    )
    expect(waitedMs(run)).toBeLessThanOrEqual(1500)
    expect(run.requests.status).toBeGreaterThanOrEqual(4)
    expect(run.requests.file).toBe(0)
    expect(run.result.tempFiles).toEqual([])
  })

  it.each([
    ['a number', '{"request_id":"r","async_status":42}', '42'],
    ['null', '{"request_id":"r","async_status":null}', 'null'],
    ['an object', '{"request_id":"r","async_status":{"state":"x"}}', '{"state":"x"}']
  ])('async_status that is %s is an unknown status, not a crash', async (_name, body, raw) => {
    const { id, expected } = await cohort('odd-status')
    sim.fault('status', { status: 200, body })
    const run = await runExport(sim, { 'cohort-id': id })
    record(`\`async_status\` is ${_name}, once`, run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(run.result.stdout).toContain(`unknown job status '${raw}'`)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 2, file: 1 })
  })
})

describe('malformed answers', () => {
  it.each(['request', 'status'] as const)('malformed JSON on %s: retried, then success', async route => {
    const { id, expected } = await cohort(`bad-json-${route}`)
    sim.fault(route, { kind: 'malformed-json' })
    const run = await runExport(sim, { 'cohort-id': id })
    record(`malformed JSON on \`${route}\`, once`, run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 1, [route]: 2 })
    expect(run.result.stdout).toMatch(
      /::warning::Amplitude answered 20[02] for .* with a body that is not JSON; retrying/
    )
  })

  it('JSON that is not an object (an array) on status: retried, then success', async () => {
    const { id } = await cohort('json-array')
    sim.fault('status', { status: 200, body: '["JOB COMPLETED"]' })
    const run = await runExport(sim, { 'cohort-id': id })
    record('JSON array instead of an object on `status`, once', run)
    expect(run.error).toBe('')
    expect(run.result.stdout).toMatch(/with unexpected JSON; retrying/)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 2, file: 1 })
  })

  it('missing request_id: a named error at once, nothing polled', async () => {
    const { id } = await cohort('no-request-id')
    sim.fault('request', { kind: 'no-request-id' })
    const run = await runExport(sim, { 'cohort-id': id })
    record('`request_id` missing from step 1', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toBe(
      `Amplitude accepted the export of cohort '${id}' but returned no request_id; nothing to poll`
    )
    expect(nonZero(run.requests)).toEqual({ request: 1 })
    expect(run.result.outputs.requestId).toBeUndefined()
    expect(run.result.tempFiles).toEqual([])
  })

  it('a request_id that is not a plain identifier (../x) is refused, never put in a path', async () => {
    const { id } = await cohort('odd-request-id')
    sim.fault('request', { status: 202, body: JSON.stringify({ request_id: '../../x?y#z', cohort_id: id }) })
    const run = await runExport(sim, { 'cohort-id': id })
    record('`request_id` is `../../x?y#z`', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toBe('Amplitude returned a request_id that is not a plain identifier')
    expect(nonZero(run.requests)).toEqual({ request: 1 })
  })
})

describe('errors that end the run at once', () => {
  it.each([
    [401, /^Amplitude refused the credentials \(HTTP 401: .*\)/],
    [403, /^Amplitude refused the credentials \(HTTP 403: .*\)/],
    [404, /^Amplitude found no export request '.*' \(HTTP 404: .*\)\. Check 'cohort-id' and 'region'\./]
  ])('%i on a poll', async (status, message) => {
    const { id } = await cohort(`poll-${status}`)
    sim.fault('status', { status })
    const run = await runExport(sim, { 'cohort-id': id })
    record(`HTTP ${status} on \`status\``, run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(message)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1 })
  })

  it('an unknown cohort (404 on step 1)', async () => {
    const run = await runExport(sim, { 'cohort-id': 'noSuchCohort' })
    record('unknown cohort (404 on `request`)', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^Amplitude found no cohort 'noSuchCohort' \(HTTP 404: Cohort noSuchCohort not found\)\. Check 'cohort-id'/
    )
    expect(nonZero(run.requests)).toEqual({ request: 1 })
  })

  it('bad credentials (403 on step 1): a named error, and the wrong secret is masked as well', async () => {
    const { id } = await cohort('bad-creds')
    // Random-looking, like the simulator's own: any 10-character piece of it in the output is a leak.
    const wrong = 'a7f3c9e1d5b8a2f4c6e0d9b7a5c3e1f2'
    const run = await runExport(sim, { 'cohort-id': id, 'secret-key': wrong })
    record('wrong `secret-key` (403 on `request`)', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^Amplitude refused the credentials \(HTTP 403: Invalid API\/Secret Key combination\)/
    )
    expect(leaks(visibleText(run.result), secretForms(sim.apiKey, wrong))).toEqual([])
    expect(nonZero(run.requests)).toEqual({ request: 1 })
    expect(run.result.outputs.requestId).toBeUndefined()
  })

  it('the file answered 409 (job not complete after all) is a named error', async () => {
    const { id } = await cohort('file-409')
    sim.fault('file', { status: 409, body: JSON.stringify({ error: 'Export job not complete' }) })
    const run = await runExport(sim, { 'cohort-id': id })
    record('HTTP 409 on `file`', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^Amplitude answered HTTP 409 for the file of export request '.*': Export job not complete$/
    )
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 1 })
    expect(run.result.tempFiles).toEqual([])
  })

  it('min-members: a file with fewer members fails and is not kept', async () => {
    const { id } = await cohort('min-members', { members: 2 })
    const run = await runExport(sim, { 'cohort-id': id, 'min-members': '3' })
    record('cohort of 2 members with `min-members: 3`', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(/has 2 members, fewer than 'min-members' \(3\)/)
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 1 })
    expect(run.result.tempFiles).toEqual([])
  })
})
