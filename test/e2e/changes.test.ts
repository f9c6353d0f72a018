// What changed since the last export, end to end: dist/index.js on nightly runs of one workflow, each comparing
// against the artifact of the one before (compare-with: previous-run), found through a stub of the GitHub REST API
// and downloaded by the real @actions/artifact client from Azurite.
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { errorLines, validInputs } from '../support/action.mjs'
import { harnessSuite } from './suite.js'
import { readZip } from './results-service.mjs'

const suite = harnessSuite()
/** Baseline files given by path; removed after the file's tests, whatever their outcome. */
const scratch = mkdtempSync(join(tmpdir(), 'changes-e2e-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const HEADER = 'amplitude_id,user_id,plan\n'
const rows = (ids: number[], plan: (id: number) => string = () => 'free') =>
  ids.map(id => `${id},user-${id},${plan(id)}\n`).join('')
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

/** One nightly run of `cohortId` in its own workflow run, serving `content` as tonight's export. */
async function night(
  cohortId: string,
  content: string,
  run = suite().newRun(),
  extra: Record<string, string> = {}
) {
  await suite().sim.addCohort(cohortId, { content, polls: 0 })
  const before = suite().sim.requests.length
  const result = await suite().runAction(
    validInputs(suite().sim, cohortId, { 'compare-with': 'previous-run', overwrite: 'true', ...extra }),
    { env: run.env }
  )
  return { result, run, requests: suite().sim.requests.length - before }
}

/** `count` artifacts named `name`, newer than any run's, of a run on another branch: only listed, never stored. */
function listNewerOnOtherBranch(name: string, count: number, firstId: number): void {
  const feature = suite().newRun({ branch: 'feature' })
  for (let i = 0; i < count; i++) {
    suite().github.listedOnly.push({
      id: firstId + i,
      name,
      run: { id: Number(feature.id), workflowId: 1, headBranch: 'feature', workflowRunBackendId: '' },
      createdAt: new Date(Date.now() + 60_000 + i).toISOString(),
      expired: false
    })
  }
}

/** The files of the artifact a run uploaded, by name. */
async function artifactFiles(result: { outputs: Record<string, string> }): Promise<Map<string, Buffer>> {
  const record = suite().results.history.find(a => String(a.id) === result.outputs.artifactId)
  if (!record) throw new Error(`no artifact ${result.outputs.artifactId}`)
  return readZip(await suite().results.download(record.name, { id: record.id }))
}

describe('nightly runs compare with the previous night', () => {
  it('first night: no baseline, everyone enters; second and third: the delta, the history grows', async () => {
    const first = await night('nightly1', HEADER + rows(range(1, 101)))
    expect(errorLines(first.result.stdout)).toEqual([])
    expect(first.result.outputs).toMatchObject({
      baseline: 'none',
      fullSync: 'true',
      enteringCount: '100',
      exitingCount: '0',
      changedCount: '0',
      skippedCount: '0'
    })
    // A full sync: the entering file is the membership file, the other three hold the header only.
    const read = (file: string) => readFileSync(file, 'utf8')
    expect(read(first.result.outputs.enteringFile)).toBe(read(first.result.outputs.cohortFile))
    for (const kind of ['exitingFile', 'changedFile', 'skippedFile']) {
      expect(read(first.result.outputs[kind])).toBe(HEADER)
    }
    expect(first.result.stdout).toMatch(
      /::notice::No earlier export to compare with: every member counts as entering/
    )

    // Night 2: 1-10 left, 101-120 joined, 50 changed plan.
    const second = await night('nightly1', HEADER + rows(range(11, 121), id => (id === 50 ? 'pro' : 'free')))
    expect(errorLines(second.result.stdout)).toEqual([])
    expect(second.result.stdout).toContain("Both files are in 'amplitude_id' order: compared in one pass")
    expect(second.result.outputs).toMatchObject({
      baseline: first.run.id,
      fullSync: 'false',
      enteringCount: '20',
      exitingCount: '10',
      changedCount: '1',
      skippedCount: '0'
    })
    expect(readFileSync(second.result.outputs.exitingFile, 'utf8')).toBe(HEADER + rows(range(1, 11)))
    expect(readFileSync(second.result.outputs.enteringFile, 'utf8')).toBe(HEADER + rows(range(101, 121)))
    expect(readFileSync(second.result.outputs.changedFile, 'utf8')).toBe(HEADER + '50,user-50,pro\n')
    expect(second.result.summary).toContain(
      `<a href="https://github.com/octo-org/nightly-exports/actions/runs/${first.run.id}">run ${first.run.id}</a>`
    )
    const files = await artifactFiles(second.result)
    expect([...files.keys()].sort()).toEqual([
      'amplitude-cohort-nightly1.changed.csv',
      'amplitude-cohort-nightly1.csv',
      'amplitude-cohort-nightly1.entering.csv',
      'amplitude-cohort-nightly1.exiting.csv',
      'amplitude-cohort-nightly1.json',
      'amplitude-cohort-nightly1.skipped.csv'
    ])
    const manifest2 = JSON.parse(String(files.get('amplitude-cohort-nightly1.json')))
    expect(manifest2).toMatchObject({
      baseline: first.run.id,
      fullSync: false,
      enteringCount: 20,
      exitingCount: 10,
      changedCount: 1,
      skippedCount: 0
    })
    expect(manifest2.history.map((h: { memberCount: number }) => h.memberCount)).toEqual([100, 110])

    // Night 3: the chain of manifests carries the history on. Tonight's file comes in another order (newest first):
    // not in key order, so the bundle compares through its hash join, on its worker thread.
    const third = await night('nightly1', HEADER + rows(range(11, 131).reverse()))
    expect(errorLines(third.result.stdout)).toEqual([])
    expect(third.result.stdout).toContain("The files are not both in 'amplitude_id' order: compared by hash")
    expect(third.result.outputs).toMatchObject({
      baseline: second.run.id,
      enteringCount: '10',
      exitingCount: '0',
      changedCount: '1'
    })
    expect(readFileSync(third.result.outputs.enteringFile, 'utf8')).toBe(
      HEADER + rows(range(121, 131).reverse())
    )
    expect(readFileSync(third.result.outputs.changedFile, 'utf8')).toBe(HEADER + '50,user-50,free\n')
    const manifest3 = JSON.parse(
      String((await artifactFiles(third.result)).get('amplitude-cohort-nightly1.json'))
    )
    expect(manifest3.history).toEqual([
      expect.objectContaining({ memberCount: 100, enteringCount: 100, exitingCount: 0 }),
      expect.objectContaining({ memberCount: 110, enteringCount: 20, exitingCount: 10 }),
      expect.objectContaining({
        memberCount: 120,
        enteringCount: 10,
        exitingCount: 0,
        requestId: third.result.outputs.requestId
      })
    ])
    expect(third.result.summary).toContain('```mermaid')
  })

  it('the baseline is the last delivered export: this workflow, this branch, this repository, a run that succeeded', async () => {
    const base = await night('rules1', HEADER + rows(range(1, 6)))
    expect(base.result.outputs.baseline).toBe('none')
    // Newer artifacts of the same name that must not count: another branch, another workflow, a fork's pull request
    // from a branch also called main, and a run whose import failed after its export (so the run failed).
    await night('rules1', HEADER + rows(range(1, 3)), suite().newRun({ branch: 'feature' }))
    await night('rules1', HEADER + rows(range(1, 3)), suite().newRun({ workflowId: 2 }))
    await night(
      'rules1',
      HEADER + rows([666]),
      suite().newRun({ headRepository: 'outsider/nightly-exports' })
    )
    const failed = await night('rules1', HEADER + rows(range(1, 3)))
    failed.run.conclude('failure')
    // A full first page of newer artifacts from another branch: the baseline is on page 2.
    listNewerOnOtherBranch('amplitude-cohort-rules1', 100, 900_000)
    const tonight = suite().newRun({ conclusion: null })
    const first = await night('rules1', HEADER + rows(range(2, 7)), tonight)
    expect(errorLines(first.result.stdout)).toEqual([])
    expect(first.result.outputs).toMatchObject({
      baseline: base.run.id,
      enteringCount: '1',
      exitingCount: '1'
    })
    // The failed night's changes are delivered again, and the log says so.
    expect(first.result.stdout).toContain(
      `::notice::Run ${failed.run.id} did not succeed (failure): its changes are included again tonight`
    )
    expect(suite().github.calls.some(c => /[?&]page=2/.test(c.path))).toBe(true)
    // A re-run of tonight's run finds tonight's own artifact first, and skips it.
    const rerun = await night('rules1', HEADER + rows(range(2, 7)), tonight, {})
    expect(rerun.result.outputs.baseline).toBe(base.run.id)
    suite().github.listedOnly.length = 0
  })

  it('a lost baseline fails before any cohort request; on-missing-baseline: full makes one run a full sync', async () => {
    await night('gone1', HEADER + rows(range(1, 6)))
    const last = await night('gone1', HEADER + rows(range(1, 4)))
    // An outage longer than the retention: the last delivered export expired (an older one is no substitute).
    suite().github.expired.add(Number(last.result.outputs.artifactId))
    const failed = await night('gone1', HEADER + rows(range(2, 8)))
    expect(failed.result.code).toBe(1)
    expect(failed.requests).toBe(0)
    expect(errorLines(failed.result.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The baseline is gone: the last delivered export, artifact 'amplitude-cohort-gone1' of run ${last.run.id} ` +
            `\\(\\d{4}-\\d\\d-\\d\\dT[^)]+\\), has expired\\. .*'on-missing-baseline: full' for one run`
        )
      )
    ])
    failed.run.conclude('failure')
    const full = await night('gone1', HEADER + rows(range(2, 8)), undefined, {
      'on-missing-baseline': 'full'
    })
    expect(errorLines(full.result.stdout)).toEqual([])
    expect(full.result.stdout).toMatch(/::warning::The baseline is gone: .*this run is a full sync/)
    expect(full.result.outputs).toMatchObject({ baseline: 'none', enteringCount: '6', exitingCount: '0' })
    // The next night compares with the full sync.
    const next = await night('gone1', HEADER + rows(range(3, 8)))
    expect(next.result.outputs).toMatchObject({
      baseline: full.run.id,
      enteringCount: '0',
      exitingCount: '1'
    })
  })

  it('a delivered export beyond the 1,000 newest artifacts of its name is a lost baseline, not a first export', async () => {
    await night('deep1', HEADER + rows(range(1, 6)))
    listNewerOnOtherBranch('amplitude-cohort-deep1', 1000, 800_000)
    const { result, requests } = await night('deep1', HEADER + rows(range(1, 6)))
    suite().github.listedOnly.length = 0
    expect(requests).toBe(0)
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(
        /^The baseline is gone: no delivered export of 'amplitude-cohort-deep1' is among the newest/
      )
    ])
  })

  it('a damaged manifest, or a file larger than its manifest says, makes the export unusable, naming its run', async () => {
    const base = await night('damaged1', HEADER + rows(range(1, 4)))
    const record = suite().results.history.find(a => String(a.id) === base.result.outputs.artifactId)
    if (!record) throw new Error('no artifact')
    const files = readZip(await suite().results.download(record.name, { id: record.id }))
    const manifestName = 'amplitude-cohort-damaged1.json'
    const manifest = files.get(manifestName) as Buffer
    // Cut short.
    await suite().results.replaceZip(record, new Map([...files, [manifestName, manifest.subarray(0, 80)]]))
    const cut = await night('damaged1', HEADER + rows(range(1, 5)))
    expect(cut.requests).toBe(0)
    expect(errorLines(cut.result.stdout)).toEqual([
      expect.stringMatching(
        `^The baseline export from run ${base.run.id} cannot be used: its manifest is not valid JSON \\(cut short or damaged\\)\\. Nothing was uploaded`
      )
    ])
    // A membership file that inflates past the manifest's bytes (a zip bomb is the extreme of it).
    const csvName = 'amplitude-cohort-damaged1.csv'
    const csv = files.get(csvName) as Buffer
    await suite().results.replaceZip(
      record,
      new Map([...files, [csvName, Buffer.concat([csv, Buffer.alloc(8 << 20, 0x30)])]])
    )
    const bomb = await night('damaged1', HEADER + rows(range(1, 5)))
    expect(bomb.requests).toBe(0)
    expect(errorLines(bomb.result.stdout)).toEqual([
      expect.stringMatching(
        `^The baseline export from run ${base.run.id} cannot be used: its 'amplitude-cohort-damaged1.csv' inflates to \\d+ bytes, not the \\d+ its manifest records`
      )
    ])
  })

  it('a token without actions: read fails before any Amplitude request, naming github-token', async () => {
    suite().github.fail(403)
    const { result, requests } = await night('denied1', HEADER + rows(range(1, 4)))
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(
        /^Input 'github-token' cannot read this repository's workflow runs and artifacts \(GitHub answered HTTP 403 .*'actions: read'/
      )
    ])
    expect(requests).toBe(0)
  })

  it('on GitHub Enterprise Server, previous-run fails before any request and says to use a path', async () => {
    await suite().sim.addCohort('ghes1', { content: HEADER + rows([1]), polls: 0 })
    const before = suite().sim.requests.length
    const result = await suite().runAction(
      // upload-artifact: false, as GHES needs (the artifact client refuses GHES; main.ts checks that first).
      validInputs(suite().sim, 'ghes1', { 'compare-with': 'previous-run', 'upload-artifact': 'false' }),
      {
        env: { GITHUB_SERVER_URL: 'https://github.example.com' }
      }
    )
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(
        /^Input 'compare-with' 'previous-run' is not available on GitHub Enterprise Server/
      )
    ])
    expect(suite().sim.requests.length).toBe(before)
  })

  it('a baseline file out of key order that ends inside a quoted field fails in the worker thread, naming the baseline', async () => {
    const dir = mkdtempSync(join(scratch, 'baseline-'))
    const baseline = join(dir, 'last-night.csv')
    // Out of order at its second row, so the one-pass walk gives up before the end: the hash join's thread reads the
    // cut end, and its error must come back as the kind the action explains.
    writeFileSync(baseline, `${HEADER}3,user-3,free\n2,user-2,free\n1,user-1,"free\n`)
    await suite().sim.addCohort('cut1', { content: HEADER + rows([2, 1]), polls: 0 })
    const result = await suite().runAction(
      validInputs(suite().sim, 'cut1', { 'compare-with': baseline, 'upload-artifact': 'false' })
    )
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(/^The baseline file cannot be used: it is not a complete CSV file/)
    ])
  })

  it('a gzip baseline out of key order with a record over 64 MiB fails in the worker thread, naming the baseline', async () => {
    const dir = mkdtempSync(join(scratch, 'baseline-'))
    const baseline = join(dir, 'last-night.csv.gz')
    // 300 KB of gzip; out of order at its second row, so the worker thread meets the giant record.
    const giant = Buffer.alloc((64 << 20) + 16, 'x')
    writeFileSync(
      baseline,
      gzipSync(
        Buffer.concat([
          Buffer.from(`${HEADER}3,user-3,free\n2,user-2,free\n1,user-1,"`),
          giant,
          Buffer.from('"\n')
        ]),
        {
          level: 1
        }
      )
    )
    await suite().sim.addCohort('giant1', { content: HEADER + rows([2, 1]), polls: 0 })
    const result = await suite().runAction(
      validInputs(suite().sim, 'giant1', { 'compare-with': baseline, 'upload-artifact': 'false' })
    )
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(
        /^The baseline file cannot be used: it has a CSV record over 64\.0 MiB, longer than any membership row/
      )
    ])
  })

  it('files not in key order: the hash join of the bundle, on both threads over several buckets, keeps the order of each file', async () => {
    // 250 k members a night, 7 MB a file: several buckets, so the worker thread matches some of them.
    const shuffle = (ids: number[], stride: number) => ids.map((_, i) => ids[(i * stride) % ids.length])
    const oldIds = shuffle(range(0, 250_000), 7919)
    const newIds = shuffle(range(1000, 251_000), 7901)
    const plan = (id: number) => (id % 100 === 0 ? 'pro' : 'free')
    const dir = mkdtempSync(join(scratch, 'baseline-'))
    const baseline = join(dir, 'last-night.csv')
    writeFileSync(baseline, HEADER + rows(oldIds))
    await suite().sim.addCohort('big1', { content: HEADER + rows(newIds, plan), polls: 0 })
    const result = await suite().runAction(
      validInputs(suite().sim, 'big1', { 'compare-with': baseline, 'upload-artifact': 'false' })
    )
    expect(errorLines(result.stdout)).toEqual([])
    expect(result.stdout).toContain("The files are not both in 'amplitude_id' order: compared by hash")
    expect(result.outputs).toMatchObject({
      enteringCount: '1000',
      exitingCount: '1000',
      changedCount: '2490'
    })
    const read = (file: string) => readFileSync(file, 'utf8')
    expect(read(result.outputs.enteringFile)).toBe(
      HEADER +
        rows(
          newIds.filter(id => id >= 250_000),
          plan
        )
    )
    expect(read(result.outputs.exitingFile)).toBe(HEADER + rows(oldIds.filter(id => id < 1000)))
    expect(read(result.outputs.changedFile)).toBe(
      HEADER +
        rows(
          newIds.filter(id => id < 250_000 && id % 100 === 0),
          plan
        )
    )
  })
})
