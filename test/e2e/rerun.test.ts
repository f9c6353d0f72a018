// Re-running a failed job re-runs this step with the same artifact name: `overwrite` decides what happens.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { errorLines, validInputs } from '../support/action.mjs'
import { startHarness } from './harness.mjs'
import { readZip } from './results-service.mjs'

type Harness = Awaited<ReturnType<typeof startHarness>>
let harness: Harness

beforeAll(async () => {
  harness = await startHarness()
}, 60_000)
afterAll(async () => {
  await harness?.stop()
})

function inputs(cohortId: string, extra: Record<string, string> = {}): Record<string, string> {
  return validInputs(harness.sim, cohortId, { 'artifact-name': 'nightly-members', ...extra })
}

describe('artifact name conflicts on re-runs', () => {
  it('without overwrite, a second upload of the same name fails naming artifact-name and overwrite', async () => {
    const { sim, results } = harness
    await sim.addCohort('rerunA', { members: 7 })
    const first = await harness.runAction(inputs('rerunA'))
    expect(first.code).toBe(0)
    const firstId = results.artifacts.get('nightly-members')?.id

    const cohortRequests = sim.count('request')
    // "Re-run all jobs": the second attempt of the same run.
    const second = await harness.runAction(inputs('rerunA'), { env: { GITHUB_RUN_ATTEMPT: '2' } })
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
    expect(results.callsOf('DeleteArtifact')).toHaveLength(0)
  })

  it('a name taken within a first attempt (two steps, one name) still fails with the same clear error', async () => {
    const { sim } = harness
    await sim.addCohort('rerunSame', { members: 4 })
    const first = await harness.runAction(inputs('rerunSame', { 'artifact-name': 'same-attempt' }))
    expect(first.code).toBe(0)
    const second = await harness.runAction(inputs('rerunSame', { 'artifact-name': 'same-attempt' }))
    expect(second.code).toBe(1)
    expect(errorLines(second.stdout).join('\n')).toMatch(
      /An artifact named 'same-attempt' already exists in this workflow run/
    )
  })

  it('with overwrite, the existing artifact is deleted first and replaced', async () => {
    const { sim, results } = harness
    const newer = await sim.addCohort('rerunB', { members: 11 })
    const oldId = results.artifacts.get('nightly-members')?.id
    const run = await harness.runAction(inputs('rerunB', { overwrite: 'true' }))
    expect(errorLines(run.stdout).join('\n')).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Deleted the existing artifact 'nightly-members' (id ${oldId})`)
    const deletes = results.callsOf('DeleteArtifact')
    expect(deletes).toHaveLength(1)
    expect(deletes[0].body.name).toBe('nightly-members')
    const current = results.artifacts.get('nightly-members')
    expect(current?.id).not.toBe(oldId)
    expect(run.outputs.artifactId).toBe(String(current?.id))
    const entry = readZip(await results.download('nightly-members')).get('amplitude-cohort-rerunB.csv')
    expect(entry?.toString()).toBe((await import('node:fs')).readFileSync(newer.file, 'utf8'))
  })

  it('an upload outside a workflow run (no Actions runtime) fails before the export', async () => {
    const { sim } = harness
    await sim.addCohort('rerunNoRuntime', { members: 3 })
    const cohortRequests = sim.count('request')
    const run = await harness.runAction(inputs('rerunNoRuntime', { 'artifact-name': 'no-runtime' }), {
      env: { ACTIONS_RUNTIME_TOKEN: undefined, ACTIONS_RESULTS_URL: undefined }
    })
    expect(run.code).toBe(1)
    expect(errorLines(run.stdout).join('\n')).toMatch(
      /Input 'upload-artifact' needs the GitHub Actions runtime .*set 'upload-artifact: false'/
    )
    expect(sim.count('request')).toBe(cohortRequests)
  })

  it('with overwrite and no existing artifact, the upload simply goes ahead', async () => {
    const { sim, results } = harness
    await sim.addCohort('rerunC', { members: 3 })
    const deletesBefore = results.callsOf('DeleteArtifact').length
    const run = await harness.runAction(
      inputs('rerunC', { overwrite: 'true', 'artifact-name': 'fresh-name' })
    )
    expect(run.code).toBe(0)
    expect(results.callsOf('DeleteArtifact').length).toBe(deletesBefore)
    expect(results.artifacts.get('fresh-name')?.finalized).toBe(true)
  })
})
