// monthly-request-budget, end to end with several cohorts: this month's cohort requests are counted from the
// baselines' manifest histories (each entry records the requests its export spent; last month's are not counted), a
// request that would pass the budget is not sent and fails its cohort naming the input, the other cohorts go on, and
// the summary states the month's count with a forecast.
import { describe, expect, it } from '@jest/globals'
import { errorLines, validInputs } from '../support/action.mjs'
import { readZip } from './results-service.mjs'
import { harnessSuite } from './suite.js'

const suite = harnessSuite()
const HEADER = 'amplitude_id,user_id\n'
const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1},user-${i + 1}\n`).join('')

const inputs = (extra: Record<string, string> = {}) =>
  validInputs(suite().sim, 'bud1,bud2', {
    'compare-with': 'previous-run',
    'artifact-name': 'budget-{cohort-id}',
    overwrite: 'true',
    ...extra
  })

/** Replaces the history in the manifest of a cohort's newest artifact. */
async function setHistory(cohortId: string, history: object[]) {
  const record = [...suite().results.history].reverse().find(a => a.name === `budget-${cohortId}`)
  if (!record) throw new Error(`no artifact for ${cohortId}`)
  const files = readZip(await suite().results.download(record.name, { id: record.id }))
  const name = `amplitude-cohort-${cohortId}.json`
  const manifest = JSON.parse(String(files.get(name)))
  expect(manifest.history.at(-1)).toMatchObject({ requests: 1 })
  manifest.history = [...history, manifest.history.at(-1)]
  files.set(name, Buffer.from(JSON.stringify(manifest)))
  await suite().results.replaceZip(record, files)
}

describe('monthly-request-budget', () => {
  it('counts this month from the histories, refuses the request that would pass it, and the other cohort goes on', async () => {
    await suite().sim.addCohort('bud1', { content: HEADER + rows(10), polls: 0 })
    await suite().sim.addCohort('bud2', { content: HEADER + rows(12), polls: 0 })
    const first = await suite().runAction(inputs(), { env: suite().newRun().env })
    expect(errorLines(first.stdout)).toEqual([])
    expect(first.summary).toMatch(/: 2 cohort requests spent by this workflow/)

    // Histories that span the month's end: the last moment of last month does not count, the first of this one does;
    // a resumed export spent nothing.
    const now = new Date()
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
    const at = (ms: number) => new Date(ms).toISOString()
    const entry = (exportedAt: string, requestId: string, requests: number) => ({
      exportedAt,
      requestId,
      memberCount: 10,
      enteringCount: 0,
      exitingCount: 0,
      requests
    })
    await setHistory('bud1', [
      entry(at(monthStart - 1), 'last-month', 1),
      entry(at(monthStart), 'this-month-1', 1)
    ])
    await setHistory('bud2', [entry(at(monthStart), 'this-month-2', 1), entry(at(monthStart), 'resumed', 0)])

    // Spent this month: 2 from the histories and 2 by the first run; a budget of 5 leaves one.
    const before = suite().sim.count('request')
    const secondRun = suite().newRun()
    const second = await suite().runAction(inputs({ 'monthly-request-budget': '5' }), { env: secondRun.env })
    expect(suite().sim.count('request') - before).toBe(1)
    expect(second.code).toBe(1)
    const results = JSON.parse(second.outputs.results) as Record<string, { error?: string }>
    const refused = Object.entries(results).filter(([, r]) => r.error !== undefined)
    expect(refused).toHaveLength(1)
    expect(refused[0][1].error).toMatch(
      /^a cohort request would pass the monthly budget: 5 of 5 spent by this workflow in \w+ \d{4} \(UTC\), so it was not sent \('monthly-request-budget': 5\)\. To go on: wait until \d{4}-\d\d-01.*raise 'monthly-request-budget'.*'request-id'/
    )
    expect(second.outputs.failedCohorts).toBe(refused[0][0])
    expect(second.summary).toMatch(/: 5 of 5 budgeted cohort requests spent by this workflow; at this pace/)
    expect(second.stdout).toMatch(
      /::notice::At this pace this workflow spends about \d+ cohort requests in \w+, more than 'monthly-request-budget' \(5\)/
    )

    // That run failed, so the next one compares with the first, whose histories do not hold the request the second
    // run spent: its artifact is counted (5 of 5), and no request is sent.
    secondRun.conclude('failure')
    const third = await suite().runAction(inputs({ 'monthly-request-budget': '5' }), {
      env: suite().newRun().env
    })
    expect(suite().sim.count('request') - before).toBe(1)
    expect(third.outputs.failedCohorts).toBe('bud1,bud2')
  })
})
