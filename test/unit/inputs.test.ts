import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { maskSecrets, readInputs } from '../../src/inputs.js'
import { inputEnv } from '../support/action.mjs'

const saved = { ...process.env }
let workspace: string

function setInputs(inputs: Record<string, string>): void {
  Object.assign(process.env, inputEnv(inputs))
}

beforeEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  workspace = mkdtempSync(join(tmpdir(), 'inputs-'))
  process.env.GITHUB_WORKSPACE = workspace
  process.env.RUNNER_TEMP = join(workspace, 'runner-temp')
  // upload-artifact (default true) needs the Actions runtime.
  process.env.ACTIONS_RUNTIME_TOKEN = 'token'
  process.env.ACTIONS_RESULTS_URL = 'http://127.0.0.1:9/'
  setInputs({ 'cohort-id': 'abc123', 'api-key': 'key-1', 'secret-key': 'secret-2' })
})
afterEach(() => {
  process.env = { ...saved }
})

async function read(): Promise<Awaited<ReturnType<typeof readInputs>>> {
  return readInputs([])
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
    delete process.env.ACTIONS_RUNTIME_TOKEN
    await expect(read()).rejects.toThrow(/^Input 'upload-artifact' needs the GitHub Actions runtime/)
    setInputs({ 'upload-artifact': 'false' })
    expect((await read()).uploadArtifact).toBe(false)
  })

  it('accepts basic-auth alone', async () => {
    const value = Buffer.from('k:s').toString('base64')
    setInputs({ 'api-key': '', 'secret-key': '', 'basic-auth': value })
    expect((await read()).authorization).toBe(`Basic ${value}`)
  })

  it('resolves a relative path against GITHUB_WORKSPACE and creates its folder', async () => {
    setInputs({ path: 'out/members.csv' })
    expect(existsSync(join(workspace, 'out'))).toBe(false)
    expect((await read()).path).toBe(join(workspace, 'out', 'members.csv'))
    expect(statSync(join(workspace, 'out')).isDirectory()).toBe(true)
  })
})

describe('maskSecrets', () => {
  it('registers the key, the secret and base64(key:secret) with the runner, and returns them', () => {
    const lines: string[] = []
    const write = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((chunk: string) => {
      lines.push(String(chunk))
      return true
    }) as typeof process.stdout.write
    let secrets: string[]
    try {
      secrets = maskSecrets()
    } finally {
      process.stdout.write = write
    }
    const b64 = Buffer.from('key-1:secret-2').toString('base64')
    expect(secrets).toEqual(expect.arrayContaining(['key-1', 'secret-2', b64]))
    expect(lines.join('')).toContain(`::add-mask::${b64}`)
    expect(lines.join('')).toContain('::add-mask::secret-2')
  })
})
