// The in-process happy path against the simulator through the real HTTP stack: every way Amplitude serves the file,
// the query sent, basic-auth, a relative path. Failures, and where the credentials go: the fault suites (test/faults/).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { AmplitudeSimulator, startSimulator } from '../sim/amplitude-simulator.mjs'
import {
  errorLines,
  maskCommands,
  secretForms,
  validInputs,
  withoutMaskCommands
} from '../support/action.mjs'
import { removeRunDirs, runAction } from '../support/run-action.js'

let sim: AmplitudeSimulator

beforeAll(async () => {
  sim = await startSimulator()
})
afterAll(async () => {
  await sim.close()
  removeRunDirs()
})

/** Valid inputs for `cohortId`, without upload (there is no Actions runtime in-process). */
function inputs(cohortId: string, extra: Record<string, string> = {}): Record<string, string> {
  return validInputs(sim, cohortId, { 'upload-artifact': 'false', ...extra })
}

describe('export through the real HTTP stack', () => {
  it.each([
    ['inline, plain, live vocabulary', { download: 'inline' }],
    ['redirect, gzip with Content-Encoding', { download: 'redirect', gzip: 'header' }],
    ['redirect, gzip without Content-Encoding', { download: 'redirect', gzip: 'magic' }],
    ['inline, no Content-Length', { download: 'inline', contentLength: false }],
    ['seed vocabulary, 200 on request', { vocabulary: 'seed', requestStatus: 200, polls: 2 }]
  ] as const)('%s', async (_name, spec) => {
    const cohortId = `c${Math.random().toString(36).slice(2, 8)}`
    const expected = await sim.addCohort(cohortId, { members: 1234, props: true, polls: 2, ...spec })
    const result = await runAction(inputs(cohortId, { 'include-props': 'true' }))
    expect(errorLines(result.stdout)).toEqual([])
    expect(result.exitCode).toBe(0)
    const file = result.outputs.cohortFile
    expect(file).toBe(`${result.runnerTemp}/amplitude-cohort-${cohortId}.csv`)
    const bytes = readFileSync(file)
    expect(bytes.equals(readFileSync(expected.file))).toBe(true)
    expect(result.outputs.sha256).toBe(expected.sha256)
    expect(result.outputs.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(result.outputs.bytes).toBe(String(expected.bytes))
    expect(result.outputs.memberCount).toBe('1234')
    expect(result.outputs.finalStatus).toBe('complete')
    expect(result.outputs.requestId).toMatch(/^req-/)
    expect(result.outputs.artifactId).toBe('')
    expect(result.outputs.artifactUrl).toBe('')
    // Nothing but the final file in RUNNER_TEMP: no temporary file left behind.
    expect(result.tempFiles.sort()).toEqual([
      `amplitude-cohort-${cohortId}.csv`,
      `amplitude-cohort-${cohortId}.json`
    ])
    expect(result.summary).toContain('<code>' + expected.sha256 + '</code>')
    expect(result.summary).toContain('1,234')
    const visible = withoutMaskCommands(result.stdout) + result.summary + JSON.stringify(result.outputs)
    for (const secret of secretForms(sim.apiKey, sim.secretKey)) expect(visible).not.toContain(secret)
  })

  it('sends props and propKeys', async () => {
    await sim.addCohort('propsCohort', { members: 10, props: true, download: 'redirect' })
    const before = sim.requests.length
    const result = await runAction(inputs('propsCohort', { 'prop-keys': 'country\nplan, note' }))
    expect(result.exitCode).toBe(0)
    const seen = sim.requests.slice(before)
    const request = seen.find(r => r.route === 'request')
    const query = new URL(request!.url, sim.apiUrl).searchParams
    expect(query.get('props')).toBe('1')
    expect(query.getAll('propKeys')).toEqual(['country', 'plan', 'note'])
  })

  it('accepts basic-auth instead of the key pair, and masks every form of it', async () => {
    await sim.addCohort('basicCohort', { members: 3 })
    const result = await runAction({
      ...inputs('basicCohort'),
      'api-key': '',
      'secret-key': '',
      'basic-auth': sim.basicAuth
    })
    expect(result.exitCode).toBe(0)
    expect(maskCommands(result.stdout)).toEqual(
      expect.arrayContaining([
        `::add-mask::${sim.basicAuth}`,
        `::add-mask::${sim.apiKey}`,
        `::add-mask::${sim.secretKey}`,
        `::add-mask::${sim.apiKey}:${sim.secretKey}`
      ])
    )
    // The masks come before the first request is logged.
    expect(result.stdout.indexOf('::add-mask::')).toBeLessThan(result.stdout.indexOf('Requesting cohort'))
  })

  it('sends props=0 by default and writes to a relative path under the workspace', async () => {
    await sim.addCohort('plainCohort', { members: 0 })
    const before = sim.requests.length
    const result = await runAction(inputs('plainCohort', { path: 'exports/members.csv' }))
    expect(result.exitCode).toBe(0)
    expect(result.outputs.cohortFile).toBe(`${result.workspace}/exports/members.csv`)
    expect(result.outputs.memberCount).toBe('0')
    const request = sim.requests.slice(before).find(r => r.route === 'request')
    expect(new URL(request!.url, sim.apiUrl).searchParams.get('props')).toBe('0')
    expect(existsSync(result.outputs.cohortFile)).toBe(true)
  })
})
