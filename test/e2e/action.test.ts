// End to end as the runner runs it: `node dist/index.js` as a child process with the runner's environment, against
// the Amplitude simulator, the real @actions/artifact client, the results-service stub and Azurite.
import { describe, expect, it } from '@jest/globals'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  errorLines,
  leaks,
  maskCommands,
  secretForms,
  sha256File,
  validInputs,
  withoutMaskCommands
} from '../support/action.mjs'
import { type Harness, harnessSuite } from './suite.js'
import { readZip } from './results-service.mjs'

type RunResult = Awaited<ReturnType<Harness['runAction']>>

// Random credentials: no word of a log line matches a piece of them by chance, so any piece found is a leak.
const suite = harnessSuite({
  simulatorOptions: { apiKey: randomBytes(16).toString('hex'), secretKey: randomBytes(16).toString('hex') }
})

/**
 * Runs dist/index.js with valid inputs for `cohortId` (and `extra`), and checks the masking of every run: no piece of
 * a secret form in stdout, stderr, outputs or summary, and each form registered with ::add-mask:: beforehand.
 */
async function runAction(cohortId: string, extra: Record<string, string> = {}): Promise<RunResult> {
  const { sim } = suite()
  const run = await suite().runAction(validInputs(sim, cohortId, extra), { timeoutMs: 120_000 })
  const visible = [withoutMaskCommands(run.stdout), run.stderr, JSON.stringify(run.outputs), run.summary]
  expect(leaks(visible.join('\n'), secretForms(sim.apiKey, sim.secretKey))).toEqual([])
  expect(maskCommands(run.stdout)).toEqual(
    expect.arrayContaining([
      `::add-mask::${sim.apiKey}`,
      `::add-mask::${sim.secretKey}`,
      `::add-mask::${sim.basicAuth}`
    ])
  )
  return run
}

describe('dist/index.js under the runner protocol', () => {
  it('exports, uploads the artifact, and reports every output', async () => {
    const { sim, results } = suite()
    const cohort = await sim.addCohort('e2eHappy', {
      members: 2500,
      props: true,
      polls: 2,
      download: 'redirect',
      gzip: 'header'
    })
    const result = await runAction('e2eHappy', { 'include-props': 'true', 'retention-days': '3' })
    expect(errorLines(result.stdout)).toEqual([])
    expect(result.code).toBe(0)

    const { outputs } = result
    expect(outputs.requestId).toMatch(/^req-/)
    expect(outputs.finalStatus).toBe('complete')
    expect(outputs.cohortFile).toBe(join(result.runnerTemp, 'amplitude-cohort-e2eHappy.csv'))
    expect(outputs.memberCount).toBe('2500')
    expect(outputs.bytes).toBe(String(cohort.bytes))
    expect(outputs.sha256).toBe(cohort.sha256)
    expect(readFileSync(outputs.cohortFile).equals(readFileSync(cohort.file))).toBe(true)

    // The artifact: created with retention, uploaded to Azurite, finalized with the zip's size and hash.
    const create = results.callsOf('CreateArtifact').at(-1)
    expect(create?.body.name).toBe('amplitude-cohort-e2eHappy')
    expect(create?.body.expires_at).toBeDefined()
    const finalize = results.callsOf('FinalizeArtifact').at(-1)
    const zip = await results.download('amplitude-cohort-e2eHappy')
    expect(finalize?.body.size).toBe(String(zip.length))
    expect(finalize?.body.hash).toBe(`sha256:${createHash('sha256').update(zip).digest('hex')}`)
    const entries = readZip(zip)
    // The membership file and its manifest (no change files: compare-with is none).
    expect([...entries.keys()].sort()).toEqual([
      'amplitude-cohort-e2eHappy.csv',
      'amplitude-cohort-e2eHappy.json'
    ])
    expect(entries.get('amplitude-cohort-e2eHappy.csv')?.equals(readFileSync(cohort.file))).toBe(true)
    const manifest = JSON.parse(String(entries.get('amplitude-cohort-e2eHappy.json')))
    expect(manifest).toMatchObject({
      version: 1,
      cohortId: 'e2eHappy',
      requestId: outputs.requestId,
      file: 'amplitude-cohort-e2eHappy.csv',
      sha256: outputs.sha256,
      memberCount: Number(outputs.memberCount),
      baseline: 'none',
      includeProps: true
    })
    const artifact = results.artifacts.get('amplitude-cohort-e2eHappy')
    expect(outputs.artifactId).toBe(String(artifact?.id))
    expect(outputs.artifactUrl).toBe(
      `https://github.com/octo-org/nightly-exports/actions/runs/${suite().runId}/artifacts/${artifact?.id}`
    )

    // The job summary holds the table.
    for (const cell of [
      '<td>Cohort</td><td><code>e2eHappy</code></td>',
      `<td>Request ID</td><td><code>${outputs.requestId}</code></td>`,
      '<td>Final status</td><td>complete</td>',
      '<td>Members</td><td>2,500</td>',
      `<td>SHA-256</td><td><code>${cohort.sha256}</code></td>`,
      `<a href="${outputs.artifactUrl}">amplitude-cohort-e2eHappy</a>`
    ]) {
      expect(result.summary).toContain(cell)
    }
  })

  it('keeps the file at a workspace path without uploading when upload-artifact is false', async () => {
    const { sim, results } = suite()
    await sim.addCohort('e2eNoUpload', { members: 10 })
    const before = results.callsOf('CreateArtifact').length
    const result = await runAction('e2eNoUpload', { 'upload-artifact': 'false', path: 'out/m.csv' })
    expect(result.code).toBe(0)
    expect(result.outputs.cohortFile).toBe(join(result.workspace, 'out', 'm.csv'))
    expect(result.outputs.artifactId).toBe('')
    expect(result.outputs.artifactUrl).toBe('')
    expect(results.callsOf('CreateArtifact').length).toBe(before)
    expect(result.summary).toContain('not uploaded')
  })
})

describe('a failure through the bundle', () => {
  // What a failure looks like under the runner protocol, with the artifact store there; the failures themselves (a
  // failed job, a timeout, bad credentials, a broken download, bad input) are the fault suites' (test/faults/).
  it('exits 1 with one ::error:: line, the outputs known so far, nothing in RUNNER_TEMP, and no artifact', async () => {
    await suite().sim.addCohort('e2eFailed', { members: 5, fail: true, polls: 1 })
    const result = await runAction('e2eFailed')
    expect(result.code).toBe(1)
    expect(errorLines(result.stdout)).toEqual([
      expect.stringMatching(/^Amplitude reported that the export job failed \(JOB FAILED\)/)
    ])
    expect(result.outputs.requestId).toMatch(/^req-/)
    expect(result.outputs.finalStatus).toBe('failed')
    expect(readdirSync(result.runnerTemp)).toEqual([])
    expect(
      suite()
        .results.callsOf('CreateArtifact')
        .some(c => c.body.name === 'amplitude-cohort-e2eFailed')
    ).toBe(false)
  })
})

describe('a large cohort', () => {
  it('streams a file of over 200 MB through a redirect with gzip, uploads it, and the content survives', async () => {
    const { sim, results } = suite()
    // ~3.4 M rows with properties: just over 200 MB of CSV.
    const cohort = await sim.addCohort('e2eLarge', {
      members: 3_400_000,
      props: true,
      polls: 1,
      download: 'redirect',
      gzip: 'header'
    })
    expect(cohort.bytes).toBeGreaterThan(200 * 1024 * 1024)
    const result = await runAction('e2eLarge', { 'compression-level': '1' })
    expect(errorLines(result.stdout)).toEqual([])
    expect(result.code).toBe(0)
    expect(result.outputs.bytes).toBe(String(cohort.bytes))
    expect(result.outputs.sha256).toBe(cohort.sha256)
    expect(result.outputs.memberCount).toBe('3400000')
    expect(await sha256File(result.outputs.cohortFile)).toBe(cohort.sha256)

    const dir = mkdtempSync(join(tmpdir(), 'e2e-large-'))
    try {
      const zipFile = await results.download('amplitude-cohort-e2eLarge', {
        toFile: join(dir, 'artifact.zip')
      })
      const entry = readZip(readFileSync(zipFile)).get('amplitude-cohort-e2eLarge.csv')
      expect(entry?.length).toBe(cohort.bytes)
      expect(
        createHash('sha256')
          .update(entry as Buffer)
          .digest('hex')
      ).toBe(cohort.sha256)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    rmSync(result.outputs.cohortFile, { force: true })
  }, 240_000)
})
