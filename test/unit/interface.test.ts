import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { Inputs, Outputs } from '../../src/config/constants.js'
import { cohortResult } from '../../src/report/outputs.js'
import { AmplitudeSimulator } from '../sim/amplitude-simulator.mjs'
import { actionYmlKeys, validInputs } from '../support/action.mjs'
import { removeRunDirs, runAction } from '../support/run-action.js'

const actionYml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** First-column names of the README table that follows a heading. */
function readmeTable(heading: string): string[] {
  const body = readme.split(`## ${heading}`)[1].split('\n## ')[0]
  return [...body.matchAll(/^\| `([A-Za-z0-9-]+)`/gm)].map(m => m[1])
}

describe('the interface users write into workflows', () => {
  it('action.yml declares exactly the inputs the code reads, and the README documents them', () => {
    expect(actionYmlKeys('inputs').sort()).toEqual(Object.values(Inputs).sort())
    expect(readmeTable('Inputs').sort()).toEqual(Object.values(Inputs).sort())
  })

  it('action.yml declares exactly the outputs the code sets, and the README documents them', () => {
    expect(actionYmlKeys('outputs').sort()).toEqual(Object.values(Outputs).sort())
    expect(readmeTable('Outputs').sort()).toEqual(Object.values(Outputs).sort())
  })

  it("each 'results' entry (several cohorts) has exactly the single-cohort output names of its facts, and 'error'", () => {
    const requests = { request: 0, status: 0, file: 0, storage: 0 }
    const outcome = { cohortId: 'c1', startedAt: 0, endedAt: 0, requests, error: 'it failed' }
    const names = Object.keys(cohortResult(outcome))
    const outputs: string[] = Object.values(Outputs)
    expect(names.filter(name => !outputs.includes(name) && name !== 'error')).toEqual([])
    // The comparison's facts: whether to replace the whole list, and every count.
    expect(names).toEqual(
      expect.arrayContaining([
        Outputs.Baseline,
        Outputs.FullSync,
        Outputs.EnteringCount,
        Outputs.ExitingCount,
        Outputs.ChangedCount,
        Outputs.SkippedCount
      ])
    )
  })

  it('runs from the committed bundle on node24', () => {
    expect(actionYml).toMatch(/^runs:\n {2}using: node24\n {2}main: dist\/index\.js$/m)
  })
})

describe('the results output', () => {
  const sim = new AmplitudeSimulator()
  beforeAll(async () => {
    await sim.start()
    for (const id of ['one1x', 'two1x', 'two2x']) await sim.addCohort(id, { members: 7, polls: 1 })
  })
  afterAll(async () => {
    await sim.close()
    removeRunDirs()
  })
  const run = (cohortId: string) => runAction(validInputs(sim, cohortId, { 'upload-artifact': 'false' }))

  it('is set for one cohort in the shape it has for several, agreeing with the single-cohort outputs', async () => {
    const one = await run('one1x')
    const several = await run('two1x,two2x')
    expect(one.exitCode).toBe(0)
    expect(several.exitCode).toBe(0)
    const entry = JSON.parse(one.outputs.results)
    expect(Object.keys(entry)).toEqual(['one1x'])
    const shape = Object.keys(JSON.parse(several.outputs.results).two1x).sort()
    expect(Object.keys(entry.one1x).sort()).toEqual(shape)
    // Each field that is also a single-cohort output says what that output says (null where it is empty).
    const shared = shape.filter(name => name in one.outputs)
    expect(shared.length).toBeGreaterThanOrEqual(12)
    for (const name of shared)
      expect([name, String(entry.one1x[name] ?? '')]).toEqual([name, one.outputs[name]])
    expect(one.outputs.failedCohorts).toBe('')
  })

  it("names one cohort's failure as it names one of several", async () => {
    const failed = await run('nosuch1x')
    expect(failed.exitCode).toBe(1)
    expect(failed.outputs.failedCohorts).toBe('nosuch1x')
    expect(JSON.parse(failed.outputs.results).nosuch1x.error).toMatch(/^Amplitude found no cohort 'nosuch1x'/)
  })
})
