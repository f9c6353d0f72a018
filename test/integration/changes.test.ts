// What changed since the last export, against a baseline file (`compare-with: <path>`): the change files, outputs,
// manifest, summary and warnings of a run, and the rules that fail it before or after the export. The comparison's
// own rules (order, bytes, line endings, keys) are in test/unit/compare.test.ts; finding the previous run's artifact
// is in test/e2e/changes.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { AmplitudeSimulator, startSimulator } from '../sim/amplitude-simulator.mjs'
import { errorLines, resumeHintPattern, splitResumeHint, validInputs } from '../support/action.mjs'
import { removeRunDirs, runAction } from '../support/run-action.js'

let sim: AmplitudeSimulator
let n = 0

beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(async () => {
  await sim.close()
  removeRunDirs()
})

const HEADER = 'amplitude_id,user_id,plan\n'
const BASELINE = `${HEADER}1,u1,free\n2,u2,pro\n3,u3,free\n4,u4,free\n`
const TONIGHT = `${HEADER}2,u2,pro\n3,u3,pro\n4,u4,free\n5,u5,free\n6,u6,"pro, annual"\n`

/** Runs an export of `content` compared with a baseline file of `baseline` (written into the run's workspace). */
async function exportAgainst(
  content: string,
  baseline: string | Buffer | undefined,
  inputs: Record<string, string> = {}
) {
  const id = `chg${++n}`
  await sim.addCohort(id, { content, polls: 0 })
  const before = sim.requests.length
  const result = await runAction(
    validInputs(sim, id, {
      'upload-artifact': 'false',
      ...(baseline !== undefined ? { 'compare-with': 'baseline.csv' } : {}),
      ...inputs
    }),
    {},
    undefined,
    workspace => {
      if (baseline !== undefined) writeFileSync(join(workspace, 'baseline.csv'), baseline)
    }
  )
  return { result, id, requests: sim.requests.length - before }
}

const read = (path: string) => readFileSync(path, 'utf8')

describe('compare-with a file', () => {
  it('writes entering, exiting and changed files beside path, sets the outputs, the manifest and the summary', async () => {
    const { result, id } = await exportAgainst(TONIGHT, BASELINE)
    expect(errorLines(result.stdout)).toEqual([])
    const { outputs } = result
    const name = join(result.runnerTemp, `amplitude-cohort-${id}`)
    expect(outputs).toMatchObject({
      baseline: 'file',
      fullSync: 'false',
      enteringCount: '2',
      exitingCount: '1',
      changedCount: '1',
      skippedCount: '0',
      enteringFile: `${name}.entering.csv`,
      exitingFile: `${name}.exiting.csv`,
      changedFile: `${name}.changed.csv`,
      skippedFile: `${name}.skipped.csv`
    })
    expect(read(outputs.enteringFile)).toBe(`${HEADER}5,u5,free\n6,u6,"pro, annual"\n`)
    expect(read(outputs.exitingFile)).toBe(`${HEADER}1,u1,free\n`)
    expect(read(outputs.changedFile)).toBe(`${HEADER}3,u3,pro\n`)
    expect(read(outputs.skippedFile)).toBe(HEADER)
    const manifest = JSON.parse(read(`${name}.json`))
    expect(manifest).toEqual({
      version: 1,
      cohortId: id,
      requestId: outputs.requestId,
      finalStatus: 'complete',
      exportedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      file: `amplitude-cohort-${id}.csv`,
      memberCount: 5,
      bytes: Buffer.byteLength(TONIGHT),
      sha256: outputs.sha256,
      columns: ['amplitude_id', 'user_id', 'plan'],
      includeProps: false,
      propKeys: [],
      baseline: 'file',
      fullSync: false,
      enteringCount: 2,
      exitingCount: 1,
      changedCount: 1,
      skippedCount: 0,
      // A path baseline has no manifest: the history starts with this export.
      history: [
        {
          exportedAt: manifest.exportedAt,
          requestId: outputs.requestId,
          memberCount: 5,
          enteringCount: 2,
          exitingCount: 1,
          requests: 1,
          runId: '4242'
        }
      ]
    })
    expect(result.summary).toMatch(
      /<td>Entering<\/td><td>2<\/td>.*<td>Exiting<\/td><td>1<\/td>.*<td>Changed<\/td><td>1<\/td>/
    )
  })

  it('compares with the file at path itself (compare-with and path the same file): the baseline is read first', async () => {
    const { result } = await exportAgainst(TONIGHT, BASELINE, { path: 'baseline.csv' })
    expect(errorLines(result.stdout)).toEqual([])
    expect(result.outputs).toMatchObject({ enteringCount: '2', exitingCount: '1', changedCount: '1' })
    expect(readFileSync(result.outputs.cohortFile, 'utf8')).toBe(TONIGHT)
  })

  it('reads a gzip baseline the same way', async () => {
    const { result } = await exportAgainst(TONIGHT, gzipSync(BASELINE))
    expect(result.outputs).toMatchObject({
      baseline: 'file',
      enteringCount: '2',
      exitingCount: '1',
      changedCount: '1'
    })
    expect(result.tempFiles.filter(f => f.startsWith('.'))).toEqual([])
  })

  it('when the columns differ, every member in both files is changed, with a notice naming the columns', async () => {
    const { result } = await exportAgainst(TONIGHT, 'amplitude_id,plan,country\n1,free,DE\n2,pro,FR\n')
    expect(result.outputs).toMatchObject({ enteringCount: '4', exitingCount: '1', changedCount: '1' })
    expect(result.stdout).toContain(
      "::notice::The columns differ from the baseline's (added 'user_id'; removed 'country'): members are matched " +
        'by key, and every member in both files counts as changed'
    )
    expect(result.stdout).not.toContain('::warning::')
    expect(read(result.outputs.exitingFile)).toBe('amplitude_id,plan,country\n1,free,DE\n')
    expect(read(result.outputs.changedFile)).toBe(`${HEADER}2,u2,pro\n`)
  })

  it("writes tonight's rows with an empty or repeated key to the skipped file, and warns per file", async () => {
    const tonight = `${HEADER}2,u2,pro\n,anon,free\n,anon2,free\n7,u7,free\n7,u7b,pro\n`
    const { result } = await exportAgainst(tonight, `${HEADER}2,u2,pro\n,anon,free\n2,u2x,free\n`)
    expect(result.outputs).toMatchObject({
      memberCount: '5',
      enteringCount: '1',
      exitingCount: '0',
      changedCount: '0',
      skippedCount: '3'
    })
    // Every row of tonight's file in one place: 1 entering + 0 changed + 1 unchanged + 3 skipped = 5.
    expect(read(result.outputs.skippedFile)).toBe(`${HEADER},anon,free\n,anon2,free\n7,u7b,pro\n`)
    const name = basename(result.outputs.skippedFile)
    expect(result.stdout).toContain(
      "::warning::baseline: 1 rows with an empty 'amplitude_id' cannot be matched, and are left out of the change files"
    )
    expect(result.stdout).toContain(
      `::warning::current: 2 rows with an empty 'amplitude_id' cannot be matched, and are in ${name}`
    )
    expect(result.stdout).toContain(
      "::warning::baseline: 1 rows repeat an earlier 'amplitude_id'; the first occurrence counts, the others are " +
        'left out of the change files'
    )
    expect(result.stdout).toContain(
      `::warning::current: 1 rows repeat an earlier 'amplitude_id'; the first occurrence counts, the others are in ${name}`
    )
    const manifest = JSON.parse(read(result.outputs.cohortFile.replace(/\.csv$/, '.json')))
    expect(manifest).toMatchObject({ fullSync: false, skippedCount: 3 })
  })

  it('compares by another key column', async () => {
    const { result } = await exportAgainst(
      'amplitude_id,user_id\n9,a\n8,b\n',
      'amplitude_id,user_id\n1,a\n2,c\n',
      { 'compare-key': 'user_id' }
    )
    expect(result.outputs).toMatchObject({ enteringCount: '1', exitingCount: '1', changedCount: '1' })
  })

  it('compare-with none (the default) writes only the manifest, and leaves the change outputs empty', async () => {
    const { result, id } = await exportAgainst(TONIGHT, undefined)
    expect(result.outputs).toMatchObject({
      baseline: 'none',
      fullSync: '',
      enteringCount: '',
      exitingCount: '',
      changedCount: '',
      skippedCount: '',
      enteringFile: '',
      exitingFile: '',
      changedFile: '',
      skippedFile: ''
    })
    expect(result.tempFiles.sort()).toEqual([`amplitude-cohort-${id}.csv`, `amplitude-cohort-${id}.json`])
    const manifest = JSON.parse(read(join(result.runnerTemp, `amplitude-cohort-${id}.json`)))
    expect(manifest).toMatchObject({
      baseline: 'none',
      fullSync: null,
      enteringCount: null,
      exitingCount: null,
      changedCount: null,
      skippedCount: null
    })
  })
})

describe('max-exiting: a mass exit fails the run', () => {
  it.each([
    ['0', true],
    ['2', false],
    ['25%', false],
    ['24.9%', true]
  ])('max-exiting %s with 1 of 4 baseline members exiting: fails = %s', async (limit, fails) => {
    const { result } = await exportAgainst(TONIGHT, BASELINE, { 'max-exiting': limit })
    if (fails) {
      expect(result.exitCode).toBe(1)
      expect(errorLines(result.stdout)[0]).toMatch(
        /^1 of the baseline's 4 members would exit, more than the limit of .*\('max-exiting'\): nothing was uploaded/
      )
      expect(result.outputs.cohortFile).toBeUndefined()
      expect(result.summary).toContain('Amplitude cohort export failed')
    } else {
      expect(result.exitCode).toBe(0)
      expect(result.outputs.exitingCount).toBe('1')
    }
  })
})

describe('a baseline that cannot be used, or a key the new file lacks', () => {
  it('a gzip baseline that does not inflate fails before any Amplitude request', async () => {
    const broken = Buffer.concat([gzipSync(BASELINE).subarray(0, 20), Buffer.from('garbage')])
    const { result, requests } = await exportAgainst(TONIGHT, broken)
    expect(result.exitCode).toBe(1)
    expect(errorLines(result.stdout)[0]).toMatch(
      /^The baseline file cannot be used: it is gzip that does not inflate .*Nothing was uploaded\. Check the file given as 'compare-with'/
    )
    expect(requests).toBe(0)
  })

  it('a baseline without the compare-key column fails naming it, before any Amplitude request', async () => {
    const { result, requests } = await exportAgainst(TONIGHT, 'user_id,plan\nu1,free\n')
    expect(errorLines(result.stdout)[0]).toMatch(
      /^The baseline file cannot be used: it has no column 'amplitude_id'/
    )
    expect(result.outputs.cohortFile).toBeUndefined()
    expect(requests).toBe(0)
  })

  it('a baseline that ends inside a quoted field fails, before any Amplitude request', async () => {
    const { result, requests } = await exportAgainst(TONIGHT, `${HEADER}1,u1,"free\n`)
    expect(errorLines(result.stdout)[0]).toMatch(
      /^The baseline file cannot be used: it is not a complete CSV file/
    )
    expect(requests).toBe(0)
  })

  it('a small gzip that inflates to one endless record fails naming the baseline, before any request and without inflating it all', async () => {
    // 80 MiB of one byte compresses to ~80 KiB: inflated whole, it would be one record longer than any member's.
    const bomb = gzipSync(Buffer.concat([Buffer.from(HEADER), Buffer.alloc(80 << 20, 0x41)]))
    const { result, requests } = await exportAgainst(TONIGHT, bomb)
    expect(errorLines(result.stdout)[0]).toMatch(
      /^The baseline file cannot be used: it has a CSV record over 64\.0 MiB, longer than any membership row\. Nothing was uploaded/
    )
    expect(requests).toBe(0)
  })
})

describe('a baseline file that does not exist is a missing baseline', () => {
  it("fails before any Amplitude request by default, saying that a first run needs 'on-missing-baseline: full'", async () => {
    const { result, requests } = await exportAgainst(TONIGHT, undefined, {
      'compare-with': 'never-written.csv'
    })
    expect(result.exitCode).toBe(1)
    expect(requests).toBe(0)
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(
        /^The baseline is gone: 'never-written\.csv' does not exist\. .*A first run has no baseline file yet: set 'on-missing-baseline: full' for it\./
      )
    ])
  })

  it("with 'on-missing-baseline: full' the run is a full sync: everyone enters, with a warning", async () => {
    const { result, requests } = await exportAgainst(TONIGHT, undefined, {
      'compare-with': 'never-written.csv',
      'on-missing-baseline': 'full'
    })
    expect(errorLines(result.stdout)).toEqual([])
    expect(requests).toBeGreaterThan(0)
    expect(result.stdout).toMatch(/::warning::The baseline is gone: 'never-written\.csv' does not exist\. /)
    expect(result.outputs).toMatchObject({ baseline: 'none', enteringCount: '5', exitingCount: '0' })
    expect(readFileSync(result.outputs.enteringFile, 'utf8')).toBe(TONIGHT)
  })

  it('a compare-key the new file does not have fails naming the input and the columns it has', async () => {
    // The baseline has the column (a baseline without it fails before any request, above).
    const { result } = await exportAgainst(TONIGHT, 'email,amplitude_id\na@example.com,1\n', {
      'compare-key': 'email'
    })
    const [error, resume] = splitResumeHint(errorLines(result.stdout)[0])
    // The export is done: fixing the input and resuming it spends no second cohort request.
    expect(resume).toMatch(resumeHintPattern(result.outputs.requestId))
    expect(error).toBe(
      "Input 'compare-key' names the column 'email', which the new file does not have (its columns: amplitude_id, user_id, plan)"
    )
  })
})
