// No cohort request spent twice: a failure after step 1 ends with the way to resume it, and `request-id` resumes an
// export Amplitude already prepared without a new step-1 request; a request Amplitude no longer knows, or a job that
// failed, says so instead.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { resumeHintPattern } from '../support/action.mjs'
import { faultSuite, nonZero, record, runExport } from './support.js'

const { sim, cohort } = faultSuite({ members: 200, polls: 1, download: 'redirect' })

describe('resume an export with request-id', () => {
  it('a download that failed is resumed without a second cohort request, and the same file is kept', async () => {
    const { id, expected } = await cohort('resume')
    sim.fault('storage', { status: 500, times: 3 })
    const failed = await runExport(sim, { 'cohort-id': id })
    expect(failed.result.exitCode).toBe(1)
    const requestId = failed.result.outputs.requestId
    expect(failed.resume).toMatch(resumeHintPattern(requestId))

    const resumed = await runExport(sim, { 'cohort-id': id, 'request-id': requestId })
    record('`request-id` of an export whose download failed', resumed)
    expect(resumed.error).toBe('')
    expect(nonZero(resumed.requests)).toEqual({ status: 1, file: 1, storage: 1 })
    expect(resumed.result.outputs).toMatchObject({
      requestId,
      finalStatus: 'complete',
      sha256: expected.sha256
    })
    expect(resumed.result.stdout).toContain(`Resuming export request '${requestId}'`)
    expect(resumed.result.stdout).toMatch(/cohort requests spent: 0;/)
    expect(resumed.result.summary).toContain('<td>Cohort requests spent</td><td>0</td>')
    // Its history entry records that it spent none (the month's count of monthly-request-budget reads it).
    const manifest = JSON.parse(
      readFileSync(resumed.result.outputs.cohortFile.replace(/\.csv$/, '.json'), 'utf8')
    )
    expect(manifest.history.at(-1)).toMatchObject({ requestId, requests: 0 })
  })

  it('a request Amplitude no longer knows says so and tells to remove request-id', async () => {
    const { id } = await cohort('unknown')
    const run = await runExport(sim, { 'cohort-id': id, 'request-id': 'req-expired-1' })
    record('`request-id` that Amplitude does not know', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(
      /^Amplitude no longer knows export request 'req-expired-1' \(HTTP 404: .*\): an export's file is kept for seven days\. Remove 'request-id' to request a new export\.$/
    )
    expect(run.resume).toBe('')
    expect(nonZero(run.requests)).toEqual({ status: 1 })
  })
})

describe('the resume hint', () => {
  it('ends a failure after step 1 (a timeout), valid until seven days after the request', async () => {
    const { id } = await cohort('hint-timeout', { polls: 1000 })
    const run = await runExport(sim, { 'cohort-id': id, timeout: '2s' })
    expect(run.error).toMatch(/^the export job did not complete within 'timeout'/)
    expect(run.resume).toMatch(resumeHintPattern(run.result.outputs.requestId))
    const until = Date.parse(/valid until (\S+)\)/.exec(run.resume)?.[1] ?? '')
    expect(until - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000)
    expect(until - Date.now()).toBeLessThan(7 * 24 * 3600_000 + 60_000)
  })

  it('is not offered when no cohort request was spent, nor when the job itself failed', async () => {
    const refused = await runExport(sim, {
      'cohort-id': (await cohort('hint-403')).id,
      'secret-key': 'wrong'
    })
    expect(refused.error).toMatch(/^Amplitude refused the credentials/)
    expect(refused.resume).toBe('')
    const failed = await runExport(sim, { 'cohort-id': (await cohort('hint-failed', { fail: true })).id })
    expect(failed.error).toMatch(/^Amplitude reported that the export job failed/)
    expect(failed.resume).toBe('')
  })
})
