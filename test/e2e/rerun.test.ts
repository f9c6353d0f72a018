// Re-running a failed job re-runs this step with the same artifact name: by default the export an earlier attempt
// uploaded is re-used (no Amplitude request); otherwise `overwrite` decides what happens. Each test uploads under a
// name of its own, so each passes alone.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { errorLines, validInputs } from '../support/action.mjs'
import { harnessSuite } from './suite.js'
import { readZip } from './results-service.mjs'

const suite = harnessSuite()

function inputs(cohortId: string, artifactName: string, extra: Record<string, string> = {}) {
  return validInputs(suite().sim, cohortId, { 'artifact-name': artifactName, ...extra })
}

/** The names in the DeleteArtifact calls the results service sees from now on (call the returned function). */
function deletes(): () => string[] {
  const before = suite().results.callsOf('DeleteArtifact').length
  return () =>
    suite()
      .results.callsOf('DeleteArtifact')
      .slice(before)
      .map(c => c.body.name)
}

/** The number of requests the simulator has seen on every route. */
const allRequests = () => suite().sim.requests.length

describe('re-use on re-runs: no cohort request spent twice', () => {
  it('attempt 2 re-uses the export of attempt 1: no Amplitude request, the same file and outputs', async () => {
    const { sim } = suite()
    const cohort = await sim.addCohort('reuseA', { members: 40, props: true })
    const first = await suite().runAction(inputs('reuseA', 'reused-members', { 'include-props': 'true' }))
    expect(first.code).toBe(0)
    const before = allRequests()
    const second = await suite().runAction(inputs('reuseA', 'reused-members', { 'include-props': 'true' }), {
      env: { GITHUB_RUN_ATTEMPT: '2' }
    })
    expect(errorLines(second.stdout)).toEqual([])
    expect(allRequests()).toBe(before)
    for (const name of [
      'requestId',
      'finalStatus',
      'memberCount',
      'bytes',
      'sha256',
      'artifactId',
      'artifactUrl'
    ]) {
      expect(second.outputs[name]).toBe(first.outputs[name])
    }
    expect(readFileSync(second.outputs.cohortFile, 'utf8')).toBe(readFileSync(cohort.file, 'utf8'))
    expect(second.stdout).toMatch(
      /Re-using the export that an earlier attempt of this run uploaded .*cohort requests spent: 0;/s
    )
  })

  it('is refused, with a warning, when the properties differ: then the overwrite rule applies', async () => {
    const { sim } = suite()
    await sim.addCohort('reuseB', { members: 9, props: true })
    expect((await suite().runAction(inputs('reuseB', 'reuse-props'))).code).toBe(0)
    const before = sim.count('request')
    const second = await suite().runAction(inputs('reuseB', 'reuse-props', { 'include-props': 'true' }), {
      env: { GITHUB_RUN_ATTEMPT: '2' }
    })
    expect(second.stdout).toContain(
      "::warning::Not re-using artifact 'reuse-props' of an earlier attempt: it was exported with other 'include-props'/'prop-keys'"
    )
    expect(second.code).toBe(1)
    expect(errorLines(second.stdout).join('\n')).toMatch(/An artifact named 'reuse-props' already exists/)
    expect(sim.count('request')).toBe(before)
  })
})

describe('re-use refused when the file does not match its manifest', () => {
  it("a file whose SHA-256 is not its manifest's is not re-used: exported again, replacing the artifact", async () => {
    const { sim, results } = suite()
    await sim.addCohort('reuseC', { members: 12 })
    expect((await suite().runAction(inputs('reuseC', 'reuse-tampered'))).code).toBe(0)
    // Tamper with the stored artifact: the same manifest, another file.
    const record = results.artifacts.get('reuse-tampered')
    if (!record) throw new Error('no artifact')
    const files = readZip(await results.download('reuse-tampered'))
    files.set('amplitude-cohort-reuseC.csv', Buffer.from('amplitude_id,user_id\n1,someone-else\n'))
    await results.replaceZip(record, files)
    const before = sim.count('request')
    const second = await suite().runAction(inputs('reuseC', 'reuse-tampered', { overwrite: 'true' }), {
      env: { GITHUB_RUN_ATTEMPT: '2' }
    })
    expect(second.stdout).toMatch(
      /::warning::Not re-using artifact 'reuse-tampered' of an earlier attempt: its file's SHA-256 \([0-9a-f]{64}\) is not the one its manifest records/
    )
    expect(errorLines(second.stdout)).toEqual([])
    expect(sim.count('request')).toBe(before + 1)
    expect(readFileSync(second.outputs.cohortFile, 'utf8')).not.toContain('someone-else')
  })
})

describe('artifact name conflicts on re-runs (reuse-on-rerun: false)', () => {
  it('without overwrite, a second upload of the same name fails naming artifact-name and overwrite', async () => {
    const { sim, results } = suite()
    const deleted = deletes()
    await sim.addCohort('rerunA', { members: 7 })
    const first = await suite().runAction(inputs('rerunA', 'nightly-members'))
    expect(first.code).toBe(0)
    const firstId = results.artifacts.get('nightly-members')?.id

    const cohortRequests = sim.count('request')
    // "Re-run all jobs": the second attempt of the same run.
    const second = await suite().runAction(
      inputs('rerunA', 'nightly-members', { 'reuse-on-rerun': 'false' }),
      {
        env: { GITHUB_RUN_ATTEMPT: '2' }
      }
    )
    expect(second.code).toBe(1)
    // Found before the export: no monthly cohort request is spent on a file that could not be delivered.
    expect(sim.count('request')).toBe(cohortRequests)
    expect(second.outputs.requestId).toBeUndefined()
    expect(errorLines(second.stdout).join('\n')).toMatch(
      /An artifact named 'nightly-members' already exists in this workflow run .*Set 'overwrite: true' to replace it, or choose another 'artifact-name'/
    )
    expect(second.outputs.artifactId).toBeUndefined()
    // The first artifact is untouched.
    expect(results.artifacts.get('nightly-members')?.id).toBe(firstId)
    expect(deleted()).toEqual([])
  })

  it('a name taken within a first attempt (two steps, one name) still fails with the same clear error', async () => {
    const { sim } = suite()
    await sim.addCohort('rerunSame', { members: 4 })
    const first = await suite().runAction(inputs('rerunSame', 'same-attempt'))
    expect(first.code).toBe(0)
    const second = await suite().runAction(inputs('rerunSame', 'same-attempt'))
    expect(second.code).toBe(1)
    expect(errorLines(second.stdout).join('\n')).toMatch(
      /An artifact named 'same-attempt' already exists in this workflow run/
    )
  })

  it('with overwrite, the existing artifact is deleted first and replaced', async () => {
    const { sim, results } = suite()
    await sim.addCohort('rerunOld', { members: 5 })
    const first = await suite().runAction(inputs('rerunOld', 'replaced-members'))
    expect(first.code).toBe(0)
    const oldId = results.artifacts.get('replaced-members')?.id
    expect(oldId).toBeDefined()

    const newer = await sim.addCohort('rerunB', { members: 11 })
    const deleted = deletes()
    const run = await suite().runAction(inputs('rerunB', 'replaced-members', { overwrite: 'true' }))
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Deleted the existing artifact 'replaced-members' (id ${oldId})`)
    expect(deleted()).toEqual(['replaced-members'])
    const current = results.artifacts.get('replaced-members')
    expect(current?.id).not.toBe(oldId)
    expect(run.outputs.artifactId).toBe(String(current?.id))
    const entry = readZip(await results.download('replaced-members')).get('amplitude-cohort-rerunB.csv')
    expect(entry?.toString()).toBe(readFileSync(newer.file, 'utf8'))
  })

  it('an upload outside a workflow run (no Actions runtime) fails before the export', async () => {
    const { sim } = suite()
    await sim.addCohort('rerunNoRuntime', { members: 3 })
    const cohortRequests = sim.count('request')
    const run = await suite().runAction(inputs('rerunNoRuntime', 'no-runtime'), {
      env: { ACTIONS_RUNTIME_TOKEN: undefined, ACTIONS_RESULTS_URL: undefined }
    })
    expect(run.code).toBe(1)
    expect(errorLines(run.stdout).join('\n')).toMatch(
      /Input 'upload-artifact' needs the GitHub Actions runtime .*set 'upload-artifact: false'/
    )
    expect(sim.count('request')).toBe(cohortRequests)
  })

  it('with overwrite and no existing artifact, the upload simply goes ahead', async () => {
    const { sim, results } = suite()
    await sim.addCohort('rerunC', { members: 3 })
    const deleted = deletes()
    const run = await suite().runAction(inputs('rerunC', 'fresh-name', { overwrite: 'true' }))
    expect(run.code).toBe(0)
    expect(deleted()).toEqual([])
    expect(results.artifacts.get('fresh-name')?.finalized).toBe(true)
  })
})
