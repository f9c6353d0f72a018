// dry-run: true, end to end through dist/index.js: it checks everything a real night needs — the inputs, the keys and
// the region, that each cohort exists and is not archived (GET /api/3/cohorts, which costs no cohort request),
// min-members against the cohort's last computed size, the baseline lookup and its SHA-256 check, the artifact
// runtime and name — spends no cohort request and uploads nothing, and fails with the real run's error.
import { afterAll, describe, expect, it } from '@jest/globals'
import { AmplitudeSimulator, startSimulator } from '../sim/amplitude-simulator.mjs'
import { errorLines, validInputs } from '../support/action.mjs'
import { harnessSuite } from './suite.js'

const suite = harnessSuite()
let otherRegion: AmplitudeSimulator | undefined
afterAll(async () => {
  await otherRegion?.close()
})

const HEADER = 'amplitude_id,user_id\n'
const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1},user-${i + 1}\n`).join('')

/** The README's example, as far as the simulator goes. */
const example = (cohortId: string, extra: Record<string, string> = {}) =>
  validInputs(suite().sim, cohortId, {
    'compare-with': 'previous-run',
    'min-members': '5',
    'max-exiting': '5%',
    overwrite: 'true',
    ...extra
  })

/** Runs the action in a run of its own; what it spent and uploaded. */
async function runIn(inputs: Record<string, string>, run = suite().newRun()) {
  const requests = suite().sim.count('request')
  const uploads = suite().results.history.length
  const result = await suite().runAction(inputs, { env: run.env })
  return {
    result,
    run,
    requests: suite().sim.count('request') - requests,
    uploads: suite().results.history.length - uploads
  }
}

/** The error of a real run and of a dry run with the same inputs (the real one's resume hint left out). */
async function bothErrors(inputs: Record<string, string>) {
  const real = await runIn(inputs)
  const dry = await runIn({ ...inputs, 'dry-run': 'true' })
  expect(dry.requests).toBe(0)
  expect(dry.uploads).toBe(0)
  expect(dry.result.code).toBe(1)
  const first = (stdout: string) => errorLines(stdout)[0]?.split('\nTo retry')[0]
  return { real: first(real.result.stdout), dry: first(dry.result.stdout) }
}

describe('a dry run', () => {
  it('on the README example: spends no cohort request, uploads nothing, and says what tonight would do', async () => {
    await suite().sim.addCohort('dry1', { content: HEADER + rows(20), polls: 0, name: 'Paying <b>users</b>' })
    const night = await runIn(example('dry1'))
    expect(night.result.code).toBe(0)
    // One cohort's summary has the month's count and forecast too.
    expect(night.result.summary).toMatch(
      /\w+: 1 cohort request spent by this workflow; at this pace about \d+ by \w{3} \d+\./
    )
    const dry = await runIn(example('dry1', { 'dry-run': 'true' }))
    expect(errorLines(dry.result.stdout)).toEqual([])
    expect(dry.requests).toBe(0)
    expect(dry.uploads).toBe(0)
    expect(suite().sim.count('cohorts')).toBeGreaterThan(0)
    expect(dry.result.outputs.finalStatus).toBe('dry-run')
    for (const name of ['cohortFile', 'sha256', 'artifactId', 'enteringFile', 'exitingFile', 'changedFile']) {
      expect(dry.result.outputs[name] ?? '').toBe('')
    }
    const summary = dry.result.summary
    expect(summary).toContain('dry run')
    expect(summary).toContain('Paying &lt;b&gt;users&lt;/b&gt;')
    expect(summary).toContain(`run ${night.run.id}`)
    expect(summary).toMatch(/spent by this workflow/)
  })

  it('fails as a real run does for bad keys, an unknown cohort and a token without actions: read', async () => {
    await suite().sim.addCohort('dry2', { content: HEADER + rows(20), polls: 0 })
    const badKeys = await bothErrors(example('dry2', { 'secret-key': 'not-the-secret-key-0000' }))
    expect(badKeys.dry).toMatch(/^Amplitude refused the credentials \(HTTP 403/)
    expect(badKeys.dry).toBe(badKeys.real)

    const unknown = await bothErrors(example('no-such-cohort'))
    expect(unknown.real).toMatch(
      /^Amplitude found no cohort 'no-such-cohort'.*Check 'cohort-id' and 'region'\.$/
    )
    expect(unknown.dry).toMatch(
      /^Amplitude found no cohort 'no-such-cohort'.*Check 'cohort-id' and 'region'\.$/
    )

    suite().github.fail(403, 2)
    const denied = await bothErrors(example('dry2'))
    expect(denied.dry).toMatch(
      /^Input 'github-token' cannot read this repository's workflow runs and artifacts/
    )
    expect(denied.dry).toBe(denied.real)
  })

  it("fails for a wrong region: the other region's server does not know the keys", async () => {
    // Another region is another server, where this project's keys are unknown.
    otherRegion = await startSimulator({
      apiKey: 'eu-project-key-00000000',
      secretKey: 'eu-project-secret-0000000'
    })
    await suite().sim.addCohort('dry3', { content: HEADER + rows(20), polls: 0 })
    const inputs = { ...example('dry3'), 'server-url': otherRegion.apiUrl }
    const { dry, real } = await bothErrors(inputs)
    expect(dry).toMatch(/^Amplitude refused the credentials .*'region' matches it/)
    expect(dry).toBe(real)
  })

  it('fails for an archived cohort, and for min-members above its last computed size', async () => {
    await suite().sim.addCohort('dry4', {
      content: HEADER + rows(20),
      polls: 0,
      archived: true,
      name: 'Old list'
    })
    const archived = await runIn(example('dry4', { 'dry-run': 'true' }))
    expect(archived.requests).toBe(0)
    expect(errorLines(archived.result.stdout)).toEqual([
      expect.stringMatching(/^Amplitude's cohort 'dry4' \(Old list\) is archived/)
    ])
    await suite().sim.addCohort('dry5', { content: HEADER + rows(20), polls: 0 })
    const small = await runIn(example('dry5', { 'dry-run': 'true', 'min-members': '100' }))
    expect(small.requests).toBe(0)
    expect(errorLines(small.result.stdout)).toEqual([
      expect.stringMatching(/^cohort 'dry5' has 20 members .*fewer than 'min-members' \(100\)/)
    ])
  })
})
