// Several cohorts through the bundle: dist/index.js exports three cohorts in one step and uploads three artifacts to
// the real artifact store (Azurite), each with its file and manifest; a re-run re-uses all three.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { errorLines, validInputs } from '../support/action.mjs'
import { readZip } from './results-service.mjs'
import { harnessSuite } from './suite.js'

const suite = harnessSuite()

describe('several cohorts through dist/index.js', () => {
  it('uploads one artifact per cohort, named from artifact-name, and reports them in results', async () => {
    const { sim, results } = suite()
    const ids = ['trioA', 'trioB', 'trioC']
    const expected = []
    for (const [i, id] of ids.entries()) expected.push(await sim.addCohort(id, { members: 30 + i, polls: 1 }))
    const run = await suite().runAction(
      validInputs(sim, ids.join('\n'), { 'artifact-name': 'nightly-{cohort-id}', 'retention-days': '2' })
    )
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    const out = JSON.parse(run.outputs.results)
    for (const [i, id] of ids.entries()) {
      const record = results.artifacts.get(`nightly-${id}`)
      expect(record?.finalized).toBe(true)
      expect(out[id]).toMatchObject({
        artifactId: record?.id,
        sha256: expected[i].sha256,
        memberCount: 30 + i
      })
      const files = readZip(await results.download(`nightly-${id}`))
      expect([...files.keys()].sort()).toEqual([`amplitude-cohort-${id}.csv`, `amplitude-cohort-${id}.json`])
      expect(files.get(`amplitude-cohort-${id}.csv`)?.toString()).toBe(readFileSync(expected[i].file, 'utf8'))
    }
    expect(run.outputs.failedCohorts).toBe('')

    // "Re-run all jobs": every cohort's export is re-used, no Amplitude request is spent.
    const before = sim.requests.length
    const rerun = await suite().runAction(
      validInputs(sim, ids.join('\n'), { 'artifact-name': 'nightly-{cohort-id}', 'retention-days': '2' }),
      { env: { GITHUB_RUN_ATTEMPT: '2' } }
    )
    expect(errorLines(rerun.stdout)).toEqual([])
    expect(sim.requests.length).toBe(before)
    const again = JSON.parse(rerun.outputs.results)
    for (const id of ids)
      expect(again[id]).toMatchObject({ requestId: out[id].requestId, sha256: out[id].sha256 })
    expect(rerun.stdout).toMatch(/cohort requests spent: 0\)/)
  })
})
