import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { Inputs, Outputs } from '../../src/constants.js'
import { Report } from '../../src/report.js'
import { actionYmlKeys } from '../support/action.mjs'
import { FakeToolkit } from '../support/fake-toolkit.js'

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
    const report = new Report(new FakeToolkit({}, {}), 'c1', 0, () => 0)
    report.fail('it failed')
    const names = Object.keys(report.result())
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
