// Several cohorts in one step, against a simulator that enforces Amplitude's limits (4 step-1 requests in any
// minute, 5 requests in flight: a 429 beyond them) on the same virtual clock as the action: every cohort exported
// with no 429, one failure not stopping the others, a Retry-After holding back every cohort, and the outputs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { AmplitudeSimulator } from '../sim/amplitude-simulator.mjs'
import { errorLines, validInputs } from '../support/action.mjs'
import { EventClock } from '../support/event-clock.js'
import { removeRunDirs, runAction } from '../support/run-action.js'

const clock = new EventClock(Date.parse('2026-11-29T03:00:00Z'))
const sim = new AmplitudeSimulator({ limits: {}, now: () => clock.now() })
beforeAll(() => sim.start())
afterAll(async () => {
  await sim.close()
  removeRunDirs()
})

let n = 0
/** `count` cohorts with unique IDs, each a small file with a 2-poll job; returns their IDs and files. */
async function cohorts(count: number, spec: Record<string, unknown> = {}) {
  const made = []
  for (let i = 0; i < count; i++) {
    const id = `several${++n}`
    made.push({
      id,
      expected: await sim.addCohort(id, { members: 20 + i, polls: 2, download: 'redirect', ...spec })
    })
  }
  return made
}

function run(ids: string[], extra: Record<string, string> = {}) {
  return runAction(validInputs(sim, ids.join(','), { 'upload-artifact': 'false', ...extra }), {}, clock)
}

describe('several cohorts in one step', () => {
  it('exports eight cohorts within the limits (no 429), each to its own file, with results and no single outputs', async () => {
    const list = await cohorts(8)
    const throttled = sim.throttled
    const result = await run(list.map(c => c.id))
    expect(errorLines(result.stdout)).toEqual([])
    expect(sim.throttled).toBe(throttled)
    expect(sim.peakInFlight).toBeLessThanOrEqual(5)
    const results = JSON.parse(result.outputs.results)
    expect(Object.keys(results)).toEqual(list.map(c => c.id))
    for (const { id, expected } of list) {
      const file = join(result.runnerTemp, `amplitude-cohort-${id}.csv`)
      expect(results[id]).toMatchObject({
        finalStatus: 'complete',
        sha256: expected.sha256,
        cohortFile: file
      })
      expect(results[id].error).toBeUndefined()
      expect(readFileSync(file).equals(readFileSync(expected.file))).toBe(true)
    }
    expect(result.outputs.failedCohorts).toBe('')
    expect(result.outputs.cohortFile).toBeUndefined()
    expect(result.stdout).toMatch(/^Exported 8 of 8 cohorts in \d+s \(cohort requests spent: 8\)$/m)
    expect(result.stdout).toMatch(new RegExp(`^\\[${list[0].id}\\] Request ID: req-`, 'm'))
    // One group per phase, in order, each line inside them one cohort's event, prefixed with its ID.
    const lines = result.stdout.split('\n')
    expect(lines.filter(l => l.startsWith('::group::'))).toEqual([
      '::group::Request the cohort exports',
      '::group::Wait for the export jobs',
      '::group::Download the membership files',
      '::group::Report'
    ])
    const inside = lines.filter((l, i) => {
      const opened = lines.slice(0, i).filter(x => x.startsWith('::group::')).length
      const closed = lines.slice(0, i).filter(x => x === '::endgroup::').length
      return opened > closed && l !== '::endgroup::' && l !== ''
    })
    expect(inside.length).toBeGreaterThan(8 * 4)
    for (const line of inside) expect(line).toMatch(/^(::[a-z]+::)?\[several\d+\] /)
    const requestGroup = lines.slice(lines.indexOf('::group::Request the cohort exports'))
    // The request group holds step-1 events only; the later phases' lines are in their own groups.
    const requestLines = requestGroup.slice(1, requestGroup.indexOf('::endgroup::'))
    expect(requestLines.filter(l => /Request ID: req-/.test(l))).toHaveLength(8)
    expect(requestLines.some(l => /Status: |Saved /.test(l))).toBe(false)
    // Eight step-1 requests at 4 a minute: the last ones waited for the window, in virtual time.
    expect(result.summary).toContain('Cohort requests spent: 8')
    // A sentence per cohort, then one members chart with a line per cohort, above the table.
    expect(result.summary).toContain(
      `<li><code>${list[0].id}</code>: Members ${20} (first export in the history).</li>`
    )
    const charts = result.summary.match(/```mermaid[\s\S]*?```/g) ?? []
    expect(charts).toHaveLength(1)
    for (const { id } of list) expect(charts[0]).toContain(id)
    expect((result.summary.match(/<tr>/g) ?? []).length).toBeGreaterThanOrEqual(9)
  })

  it('one cohort whose job fails does not stop the others; the step fails at the end, naming it', async () => {
    const [good, bad, other] = await cohorts(3)
    await sim.addCohort(bad.id, { members: 5, polls: 1, fail: true })
    const result = await run([good.id, bad.id, other.id])
    expect(result.exitCode).toBe(1)
    const [error] = errorLines(result.stdout)
    expect(error).toMatch(
      new RegExp(`^1 of 3 cohorts failed:\\n- ${bad.id}: Amplitude reported that the export job failed`)
    )
    expect(result.outputs.failedCohorts).toBe(bad.id)
    const results = JSON.parse(result.outputs.results)
    expect(results[bad.id].error).toMatch(/export job failed/)
    for (const c of [good, other]) {
      expect(results[c.id]).toMatchObject({ finalStatus: 'complete', sha256: c.expected.sha256 })
      expect(existsSync(join(result.runnerTemp, `amplitude-cohort-${c.id}.csv`))).toBe(true)
    }
    expect(result.summary).toContain('1 of 3 failed')
  })

  it('a failure before any cohort starts (no artifact runtime) fails every cohort in results, not only the first', async () => {
    const ids = (await cohorts(3)).map(c => c.id)
    const before = sim.count('request')
    const result = await runAction(validInputs(sim, ids.join(',')), {}, clock)
    expect(sim.count('request')).toBe(before)
    expect(result.outputs.failedCohorts).toBe(ids.join(','))
    const results = JSON.parse(result.outputs.results)
    expect(Object.keys(results)).toEqual(ids)
    for (const id of ids)
      expect(results[id].error).toMatch(/^Input 'upload-artifact' needs the GitHub Actions runtime/)
  })

  it("a 429 with Retry-After on one cohort's poll holds back every cohort's polls, and all succeed", async () => {
    const list = await cohorts(3)
    sim.fault('status', { status: 429, headers: { 'retry-after': '30' } })
    const result = await run(list.map(c => c.id))
    expect(errorLines(result.stdout)).toEqual([])
    expect(result.stdout).toMatch(
      /::warning::\[several\d+\] Amplitude answered HTTP 429 .*retrying in 30\.0s/
    )
    // Every cohort's polls were held back, not just the throttled one's: the next status request of any cohort came
    // at least 30 s (virtual time, the simulator's clock too) after the 429 was answered.
    const statuses = sim.requests.filter(r => r.route === 'status')
    const throttled = statuses.findIndex(r => r.status === 429)
    expect(throttled).toBeGreaterThanOrEqual(0)
    const later = statuses.slice(throttled + 1)
    expect(later.length).toBeGreaterThanOrEqual(3)
    for (const r of later) expect(r.clockAt - statuses[throttled].clockAt).toBeGreaterThanOrEqual(30_000)
    expect(JSON.parse(result.outputs.results)[list[0].id].finalStatus).toBe('complete')
  })

  it('with compare-with a folder, each results entry has the comparison: fullSync, counts and skippedCount', async () => {
    const [same, grown] = await cohorts(2)
    const text = (file: string) => readFileSync(file, 'utf8')
    const result = await runAction(
      validInputs(sim, `${same.id},${grown.id}`, { 'upload-artifact': 'false', 'compare-with': 'last' }),
      {},
      clock,
      workspace => {
        mkdirSync(join(workspace, 'last'))
        const write = (id: string, content: string) =>
          writeFileSync(join(workspace, 'last', `amplitude-cohort-${id}.csv`), content)
        write(same.id, text(same.expected.file))
        // The other's baseline lacks its last row and repeats its first: one member enters tonight.
        const lines = text(grown.expected.file).trimEnd().split('\n')
        write(grown.id, [...lines.slice(0, -1), lines[1]].join('\n') + '\n')
      }
    )
    expect(errorLines(result.stdout)).toEqual([])
    const results = JSON.parse(result.outputs.results)
    const compared = { baseline: 'file', fullSync: false, exitingCount: 0, changedCount: 0, skippedCount: 0 }
    expect(results[same.id]).toMatchObject({ ...compared, enteringCount: 0 })
    expect(results[grown.id]).toMatchObject({ ...compared, enteringCount: 1 })
  })
})
