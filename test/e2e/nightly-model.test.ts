// A model downstream over many nights: each night dist/index.js runs in a workflow run of its own (compare-with:
// previous-run, through the GitHub REST stub and the real artifact client), then a model import applies what it
// delivered, as the README's importer rule says: a full replacement with cohortFile when fullSync is true, otherwise
// upsert entering and changed, remove exiting. A night whose import fails makes its run fail. After every delivered
// night the model must equal tonight's cohort exactly (every member that can be matched: a non-empty key, its first
// row), through failed imports, a prop-keys change, empty and repeated keys, a fork's run and an outage past
// retention.
import { describe, expect, it } from '@jest/globals'
import { parse } from 'csv-parse/sync'
import { readFileSync } from 'node:fs'
import { errorLines, validInputs } from '../support/action.mjs'
import { harnessSuite } from './suite.js'

const suite = harnessSuite()
const COHORT = 'model1'
const KEY = 'amplitude_id'

type Rows = Map<string, string[]>

/** The members of a CSV file that can be matched, by key: the first row of each non-empty key. */
function members(text: string): Rows {
  const [header, ...records] = parse(text, { relax_column_count: true }) as string[][]
  const at = header.indexOf(KEY)
  const rows: Rows = new Map()
  for (const record of records) {
    const key = record[at] ?? ''
    if (key !== '' && !rows.has(key)) rows.set(key, record)
  }
  return rows
}

/** The downstream list, as an importer following the README's rule keeps it. */
class Downstream {
  list: Rows = new Map()

  apply(outputs: Record<string, string>): void {
    if (outputs.fullSync === 'true') {
      this.list = members(readFileSync(outputs.cohortFile, 'utf8'))
      return
    }
    expect(outputs.fullSync).toBe('false')
    for (const file of [outputs.enteringFile, outputs.changedFile]) {
      for (const [key, row] of members(readFileSync(file, 'utf8'))) this.list.set(key, row)
    }
    for (const key of members(readFileSync(outputs.exitingFile, 'utf8')).keys()) this.list.delete(key)
  }
}

const csv = (header: string[], rows: string[][]) =>
  [header, ...rows]
    .map(fields => fields.map(f => (/[",\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(','))
    .join('\n') + '\n'
const BASE = [KEY, 'user_id', 'plan']
const row = (id: number, plan = 'free') => [String(id), `user-${id}`, plan]
const span = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

describe('a model downstream over many nights', () => {
  it('equals the cohort after every delivered night', async () => {
    const downstream = new Downstream()
    /** One night: the export in a run of its own, then the import; the run succeeds only if both do. */
    const night = async (
      content: string,
      {
        importFails = false,
        inputs = {} as Record<string, string>,
        run = suite().newRun({ conclusion: null })
      } = {}
    ) => {
      await suite().sim.addCohort(COHORT, { content, polls: 0 })
      const result = await suite().runAction(
        validInputs(suite().sim, COHORT, { 'compare-with': 'previous-run', overwrite: 'true', ...inputs }),
        { env: run.env }
      )
      if (result.code !== 0) {
        run.conclude('failure')
        return { result, run, delivered: false }
      }
      if (importFails) {
        run.conclude('failure')
        return { result, run, delivered: false }
      }
      downstream.apply(result.outputs)
      run.conclude('success')
      expect(downstream.list).toEqual(members(content))
      return { result, run, delivered: true }
    }

    // 1. The first export: a full sync.
    const first = await night(
      csv(
        BASE,
        span(1, 51).map(id => row(id))
      )
    )
    expect(first.result.outputs.fullSync).toBe('true')
    // 2. Changes, but the import fails: the run fails, and these changes must go out again tomorrow.
    await night(
      csv(
        BASE,
        span(6, 56).map(id => row(id, id === 20 ? 'pro' : 'free'))
      ),
      { importFails: true }
    )
    // 3. Compared with night 1 (the last delivered), so night 2's changes are in it.
    const third = await night(
      csv(
        BASE,
        span(8, 58).map(id => row(id, id === 20 ? 'pro' : 'free'))
      )
    )
    expect(third.result.outputs).toMatchObject({ fullSync: 'false', baseline: first.run.id })
    // 4. A fork's pull request from a branch also called main runs the workflow: it must never become the baseline.
    const fork = suite().newRun({ headRepository: 'outsider/nightly-exports', conclusion: null })
    await suite().sim.addCohort(COHORT, { content: csv(BASE, [row(999)]), polls: 0 })
    const forked = await suite().runAction(
      validInputs(suite().sim, COHORT, { 'compare-with': 'none', overwrite: 'true' }),
      { env: fork.env }
    )
    expect(forked.code).toBe(0)
    fork.conclude('success')
    const fifth = await night(
      csv(
        BASE,
        span(9, 60).map(id => row(id))
      )
    )
    expect(fifth.result.outputs.baseline).toBe(third.run.id)
    // 5. New columns (prop-keys changed): every member in both files is changed, so everyone gets the new column.
    const WIDE = [...BASE, 'country']
    const wide = (id: number) => [...row(id), id % 2 ? 'DE' : 'FR, "Paris"']
    const sixth = await night(csv(WIDE, span(9, 62).map(wide)), { inputs: { 'prop-keys': 'plan,country' } })
    expect(Number(sixth.result.outputs.changedCount)).toBe(51)
    // 6. Empty and repeated keys: they cannot be matched; the counts still add up.
    const messy = [
      ...span(10, 62).map(wide),
      ['', 'anonymous', 'free', 'DE'],
      wide(30),
      ['', 'anon-2', 'pro', 'FR']
    ]
    const seventh = await night(csv(WIDE, messy), { inputs: { 'prop-keys': 'plan,country' } })
    expect(seventh.result.outputs.skippedCount).toBe('3')
    // 7. An outage longer than the retention: the last delivered export expired. The run fails before any cohort
    //    request; then one run with on-missing-baseline: full delivers the whole list again.
    suite().github.expired.add(Number(seventh.result.outputs.artifactId))
    const requests = suite().sim.count('request')
    const lost = await night(csv(WIDE, span(12, 70).map(wide)), { inputs: { 'prop-keys': 'plan,country' } })
    expect(lost.delivered).toBe(false)
    expect(errorLines(lost.result.stdout)[0]).toMatch(/^The baseline is gone: /)
    expect(suite().sim.count('request')).toBe(requests)
    const full = await night(csv(WIDE, span(12, 70).map(wide)), {
      inputs: { 'prop-keys': 'plan,country', 'on-missing-baseline': 'full' }
    })
    expect(full.result.outputs.fullSync).toBe('true')
    // 8. Back to deltas.
    const last = await night(csv(WIDE, span(15, 72).map(wide)), { inputs: { 'prop-keys': 'plan,country' } })
    expect(last.result.outputs).toMatchObject({ fullSync: 'false', baseline: full.run.id })
  })
})
