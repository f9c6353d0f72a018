import { beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Delivery } from '../../src/cohort/deliver.js'
import { prepareDestination } from '../../src/config/destination.js'
import { readInputs } from '../../src/config/inputs.js'
import { Redactor } from '../../src/runtime/secrets.js'
import { FakeToolkit } from '../support/fake-toolkit.js'

let workspace: string
let inputs: Record<string, string>
let env: Record<string, string | undefined>

function setInputs(values: Record<string, string>): void {
  Object.assign(inputs, values)
}

beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'inputs-'))
  // upload-artifact (default true) needs the Actions runtime.
  env = {
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: join(workspace, 'runner-temp'),
    ACTIONS_RUNTIME_TOKEN: 'token',
    ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/'
  }
  inputs = { 'cohort-id': 'abc123', 'api-key': 'key-1', 'secret-key': 'secret-2' }
})

/** The job of the one cohort the inputs name. */
async function read(): Promise<ReturnType<typeof readInputs>[number]> {
  return readInputs(new FakeToolkit(inputs, env), new Redactor())[0]
}

describe('readInputs: valid values', () => {
  it('applies the documented defaults', async () => {
    const inputs = await read()
    expect(inputs).toMatchObject({
      cohortId: 'abc123',
      authorization: `Basic ${Buffer.from('key-1:secret-2').toString('base64')}`,
      includeProps: false,
      propKeys: [],
      baseUrl: 'https://amplitude.com',
      pollIntervalMs: 5000,
      timeoutMs: 1_800_000,
      requestTimeoutMs: 60_000,
      path: join(workspace, 'runner-temp', 'amplitude-cohort-abc123.csv'),
      uploadArtifact: true,
      artifactName: 'amplitude-cohort-abc123',
      retentionDays: undefined,
      compressionLevel: 6,
      overwrite: false,
      minMembers: 0
    })
  })

  it('picks the EU host by region, and server-url over region', async () => {
    setInputs({ region: 'EU' })
    expect((await read()).baseUrl).toBe('https://analytics.eu.amplitude.com')
    setInputs({ 'server-url': 'http://127.0.0.1:8080/proxy/amplitude/' })
    expect((await read()).baseUrl).toBe('http://127.0.0.1:8080/proxy/amplitude')
  })

  it('parses prop-keys (commas and newlines) and lets them imply props', async () => {
    setInputs({ 'prop-keys': 'country, plan\nlifetime value\n', 'include-props': 'false' })
    const inputs = await read()
    expect(inputs.propKeys).toEqual(['country', 'plan', 'lifetime value'])
    expect(inputs.includeProps).toBe(true)
  })

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['0', false]
  ])('include-props %j → %s', async (value, expected) => {
    setInputs({ 'include-props': value })
    expect((await read()).includeProps).toBe(expected)
  })

  it('reads durations, numbers and booleans', async () => {
    setInputs({
      'poll-interval': '250ms',
      timeout: '1h30m',
      'request-timeout': '30',
      'retention-days': '7',
      'compression-level': '0',
      'upload-artifact': 'false',
      overwrite: 'true',
      'min-members': '100',
      'artifact-name': 'nightly members'
    })
    expect(await read()).toMatchObject({
      pollIntervalMs: 250,
      timeoutMs: 5_400_000,
      requestTimeoutMs: 30_000,
      retentionDays: 7,
      compressionLevel: 0,
      uploadArtifact: false,
      overwrite: true,
      minMembers: 100,
      artifactName: 'nightly members'
    })
  })

  it('refuses upload-artifact outside the Actions runtime, naming the input', async () => {
    delete env.ACTIONS_RUNTIME_TOKEN
    const check = async () => new Delivery(await read(), new FakeToolkit(inputs, env)).requireRuntime()
    await expect(check()).rejects.toThrow(/^Input 'upload-artifact' needs the GitHub Actions runtime/)
    setInputs({ 'upload-artifact': 'false' })
    expect((await read()).uploadArtifact).toBe(false)
    await expect(check()).resolves.toBeUndefined()
  })

  it('refuses upload-artifact on GitHub Enterprise Server, whose artifact service @actions/artifact 6 refuses', async () => {
    const check = async () => new Delivery(await read(), new FakeToolkit(inputs, env)).requireRuntime()
    for (const server of ['https://github.com', 'https://octo.ghe.com', 'http://github.localhost']) {
      env.GITHUB_SERVER_URL = server
      await expect(check()).resolves.toBeUndefined()
    }
    env.GITHUB_SERVER_URL = 'https://github.example.com'
    await expect(check()).rejects.toThrow(
      /^Input 'upload-artifact' is not available on GitHub Enterprise Server: .* Set 'upload-artifact: false'/
    )
    setInputs({ 'upload-artifact': 'false' })
    await expect(check()).resolves.toBeUndefined()
  })

  it('accepts basic-auth alone', async () => {
    const value = Buffer.from('k:s').toString('base64')
    setInputs({ 'api-key': '', 'secret-key': '', 'basic-auth': value })
    expect((await read()).authorization).toBe(`Basic ${value}`)
  })

  it('resolves a relative path against GITHUB_WORKSPACE, and the destination check creates its folder', async () => {
    setInputs({ path: 'out/members.csv' })
    const { path } = await read()
    expect(path).toBe(join(workspace, 'out', 'members.csv'))
    expect(existsSync(join(workspace, 'out'))).toBe(false)
    await prepareDestination(path)
    expect(statSync(join(workspace, 'out')).isDirectory()).toBe(true)
    expect(existsSync(path)).toBe(false)
  })
})

describe('masking the credentials', () => {
  it('registers the key, the secret and base64(key:secret) with the runner and the redactor', async () => {
    const toolkit = new FakeToolkit(inputs, env)
    const redactor = new Redactor()
    readInputs(toolkit, redactor)
    const b64 = Buffer.from('key-1:secret-2').toString('base64')
    expect(toolkit.stdout).toContain(`::add-mask::${b64}`)
    expect(toolkit.stdout).toContain('::add-mask::secret-2')
    expect(toolkit.stdout).toContain('::add-mask::key-1')
    expect(redactor.redact(`key-1 secret-2 ${b64}`)).toBe('*** *** ***')
  })

  it('masks them before any input error: a run that fails on its cohort ID still never shows a key', () => {
    setInputs({ 'cohort-id': '' })
    const toolkit = new FakeToolkit(inputs, env)
    expect(() => readInputs(toolkit, new Redactor())).toThrow(/^Input 'cohort-id' is required/)
    expect(toolkit.stdout).toContain('::add-mask::secret-2')
  })
})
