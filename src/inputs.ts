import * as core from '@actions/core'
import { constants as fsConstants } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, isAbsolute, join, resolve } from 'node:path'
import { Defaults, Inputs, Regions } from './constants.js'
import { parseDuration } from './duration.js'
import { InputError } from './errors.js'

export interface ActionInputs {
  cohortId: string
  /** The value of the Authorization header: `Basic base64(api_key:secret_key)`. */
  authorization: string
  /** Every form of the credentials, for masking and redaction. */
  secrets: string[]
  includeProps: boolean
  propKeys: string[]
  /** API base URL without a trailing slash (may carry a path prefix, e.g. behind a proxy). */
  baseUrl: string
  pollIntervalMs: number
  timeoutMs: number
  requestTimeoutMs: number
  /** Absolute path of the membership file. */
  path: string
  uploadArtifact: boolean
  artifactName: string
  retentionDays?: number
  compressionLevel: number
  overwrite: boolean
  minMembers: number
}

// Amplitude cohort IDs are short alphanumeric strings; anything else (`/`, `..`, `%2F`, spaces, control characters)
// could change which API path is requested, so it is refused rather than escaped.
const COHORT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/
// The characters @actions/artifact refuses in an artifact name.
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\r\n\\/]/
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
// The longest a Node.js timer can wait (about 24.8 days): a longer duration would fire at once instead.
const MAX_DURATION_MS = 2 ** 31 - 1

function input(name: string): string {
  return core.getInput(name, { trimWhitespace: true })
}

/**
 * Registers every secret form with the runner before anything else happens, so that no later log line, error or
 * debug message can show one: the key, the secret, the `basic-auth` value, the base64 of `key:secret` and the pieces
 * a `basic-auth` value decodes to. Returns the forms, for the Redactor.
 */
export function maskSecrets(): string[] {
  const forms = new Set<string>()
  const apiKey = input(Inputs.ApiKey)
  const secretKey = input(Inputs.SecretKey)
  const basicAuth = input(Inputs.BasicAuth)
  for (const raw of [Inputs.ApiKey, Inputs.SecretKey, Inputs.BasicAuth].map(n => core.getInput(n))) {
    if (raw) forms.add(raw)
  }
  if (apiKey) forms.add(apiKey)
  if (secretKey) forms.add(secretKey)
  if (apiKey && secretKey) forms.add(Buffer.from(`${apiKey}:${secretKey}`).toString('base64'))
  if (basicAuth) {
    forms.add(basicAuth)
    const decoded = Buffer.from(basicAuth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) {
      forms.add(decoded)
      forms.add(decoded.slice(0, colon))
      forms.add(decoded.slice(colon + 1))
    }
  }
  const secrets = [...forms].filter(s => s.trim().length > 0)
  for (const secret of secrets) core.setSecret(secret)
  return secrets
}

function authorization(): string {
  const apiKey = input(Inputs.ApiKey)
  const secretKey = input(Inputs.SecretKey)
  const basicAuth = input(Inputs.BasicAuth)
  const pair = apiKey !== '' || secretKey !== ''
  if (pair && basicAuth) {
    throw new InputError(
      Inputs.BasicAuth,
      `cannot be combined with '${Inputs.ApiKey}'/'${Inputs.SecretKey}': give either the key pair or 'basic-auth', not both`
    )
  }
  if (basicAuth) {
    const decoded = BASE64.test(basicAuth) ? Buffer.from(basicAuth, 'base64').toString('utf8') : ''
    const colon = decoded.indexOf(':')
    if (colon <= 0 || colon === decoded.length - 1) {
      throw new InputError(
        Inputs.BasicAuth,
        'must be the base64 encoding of \'api_key:secret_key\' (for example the output of `printf %s "$KEY:$SECRET" | base64 -w0`)'
      )
    }
    return `Basic ${basicAuth}`
  }
  if (!apiKey) {
    throw new InputError(
      Inputs.ApiKey,
      pair
        ? `is required with '${Inputs.SecretKey}': pass both from secrets, or 'basic-auth' alone`
        : `is required: pass '${Inputs.ApiKey}' and '${Inputs.SecretKey}' from secrets (or 'basic-auth')`
    )
  }
  if (!secretKey) {
    throw new InputError(Inputs.SecretKey, `is required with '${Inputs.ApiKey}': pass it from secrets`)
  }
  if (apiKey.includes(':')) throw new InputError(Inputs.ApiKey, "must not contain ':'")
  if (/[\r\n]/.test(apiKey)) throw new InputError(Inputs.ApiKey, 'must be a single line')
  if (/[\r\n]/.test(secretKey)) throw new InputError(Inputs.SecretKey, 'must be a single line')
  return `Basic ${Buffer.from(`${apiKey}:${secretKey}`).toString('base64')}`
}

/** `true`/`false`/`1`/`0` (any case); empty gives the default. */
export function parseBoolean(name: string, fallback: boolean): boolean {
  const value = input(name).toLowerCase()
  if (value === '') return fallback
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new InputError(name, `must be 'true' or 'false' (or 1/0), got '${input(name)}'`)
}

function parseInteger(name: string, min: number, max: number, fallback?: number): number | undefined {
  const value = input(name)
  if (value === '') return fallback
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(name, `must be a whole number from ${min} to ${max}, got '${value}'`)
  }
  return Number(value)
}

function parseDurationInput(name: string, fallback: string, minMs: number): number {
  const value = input(name) || fallback
  const ms = parseDuration(value)
  if (ms === undefined) {
    throw new InputError(
      name,
      `must be a duration such as 250ms, 5s, 2m or 1h30m (or a number of seconds), got '${value}'`
    )
  }
  if (ms < minMs) throw new InputError(name, `must be at least ${minMs}ms, got '${value}'`)
  if (ms > MAX_DURATION_MS) throw new InputError(name, `must be at most 596h, got '${value}'`)
  return ms
}

function parseBaseUrl(): string {
  const serverUrl = input(Inputs.ServerUrl)
  const region = input(Inputs.Region).toLowerCase() || 'us'
  // Own keys only: `region in Regions` would accept 'constructor' or '__proto__'.
  if (!Object.hasOwn(Regions, region)) {
    throw new InputError(Inputs.Region, `must be 'us' or 'eu', got '${input(Inputs.Region)}'`)
  }
  if (!serverUrl) return Regions[region as keyof typeof Regions]
  let url: URL
  try {
    url = new URL(serverUrl)
  } catch {
    throw new InputError(Inputs.ServerUrl, `must be an absolute http(s) URL such as https://amplitude.com`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(Inputs.ServerUrl, `must use http or https, got '${url.protocol}'`)
  }
  if (url.username || url.password) {
    throw new InputError(Inputs.ServerUrl, `must not carry credentials: use 'api-key' and 'secret-key'`)
  }
  if (url.search || url.hash) throw new InputError(Inputs.ServerUrl, 'must not have a query or fragment')
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

function parsePropKeys(): string[] {
  const raw = core.getInput(Inputs.PropKeys)
  if (raw.trim() === '') return []
  const items = raw.split(/[,\n]/).map(s => s.trim())
  // A trailing newline or comma is harmless; an empty item in the middle ("a,,b") is most likely a mistake.
  while (items.length > 0 && items[items.length - 1] === '') items.pop()
  if (items.length === 0 || items.some(s => s === '')) {
    throw new InputError(
      Inputs.PropKeys,
      'has an empty item: separate property names with single commas or newlines'
    )
  }
  const bad = items.find(s => [...s].some(c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
  if (bad !== undefined) throw new InputError(Inputs.PropKeys, 'must not contain control characters')
  return [...new Set(items)]
}

function parseArtifactName(cohortId: string): string {
  const name = input(Inputs.ArtifactName) || `amplitude-cohort-${cohortId}`
  if (ARTIFACT_NAME_FORBIDDEN.test(name)) {
    throw new InputError(
      Inputs.ArtifactName,
      `must not contain any of " : < > | * ? \\ / or line breaks, got '${name.replace(/[\r\n]/g, ' ')}'`
    )
  }
  return name
}

async function resolvePath(cohortId: string): Promise<string> {
  const given = input(Inputs.Path)
  const base = process.env.GITHUB_WORKSPACE || process.cwd()
  const path = given
    ? resolve(isAbsolute(given) ? given : resolve(base, given))
    : resolve(process.env.RUNNER_TEMP || tmpdir(), `amplitude-cohort-${cohortId}.csv`)
  if (given.endsWith('/')) throw new InputError(Inputs.Path, `must name a file, not a directory: '${given}'`)
  const existing = await stat(path).catch(() => undefined)
  if (existing?.isDirectory())
    throw new InputError(Inputs.Path, `is a directory: '${path}'; name a file in it`)
  try {
    await mkdir(dirname(path), { recursive: true })
    await access(dirname(path), fsConstants.W_OK)
    // access() says yes to root everywhere, even where no file can be created (/proc, a read-only mount): create
    // and remove a probe file beside `path`, the way the download's temporary file will be created.
    const probe = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.probe`)
    await writeFile(probe, '', { flag: 'wx' })
    await rm(probe, { force: true })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    const why = code === 'ENOTDIR' || code === 'EEXIST' ? 'is not a folder' : 'is not writable'
    throw new InputError(Inputs.Path, `cannot be written: '${dirname(path)}' ${why} (${code})`)
  }
  return path
}

/**
 * Reads and validates every input. Throws an InputError naming the input on the first problem, before any request
 * is sent. Call maskSecrets() first.
 */
export async function readInputs(secrets: string[]): Promise<ActionInputs> {
  const cohortId = input(Inputs.CohortId)
  if (!cohortId)
    throw new InputError(Inputs.CohortId, 'is required: the ID of the Amplitude behavioral cohort')
  if (!COHORT_ID.test(cohortId)) {
    throw new InputError(
      Inputs.CohortId,
      `must be a plain cohort ID (letters, digits, '-' and '_'), got '${cohortId.replace(/[^\x20-\x7e]/g, '?')}'`
    )
  }
  const auth = authorization()
  const propKeys = parsePropKeys()
  const includeProps = parseBoolean(Inputs.IncludeProps, false) || propKeys.length > 0
  const baseUrl = parseBaseUrl()
  const pollIntervalMs = parseDurationInput(Inputs.PollInterval, Defaults.pollInterval, 100)
  const timeoutMs = parseDurationInput(Inputs.Timeout, Defaults.timeout, 1000)
  const requestTimeoutMs = parseDurationInput(Inputs.RequestTimeout, Defaults.requestTimeout, 100)
  if (pollIntervalMs > timeoutMs) {
    throw new InputError(
      Inputs.PollInterval,
      `(${input(Inputs.PollInterval)}) must not exceed '${Inputs.Timeout}'`
    )
  }
  const uploadArtifact = parseBoolean(Inputs.UploadArtifact, true)
  if (uploadArtifact && (!process.env.ACTIONS_RUNTIME_TOKEN || !process.env.ACTIONS_RESULTS_URL)) {
    throw new InputError(
      Inputs.UploadArtifact,
      'needs the GitHub Actions runtime (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set): outside a ' +
        "workflow run, set 'upload-artifact: false'"
    )
  }
  const artifactName = parseArtifactName(cohortId)
  const retentionDays = parseInteger(Inputs.RetentionDays, 1, 90)
  const compressionLevel = parseInteger(Inputs.CompressionLevel, 0, 9, Defaults.compressionLevel) as number
  const overwrite = parseBoolean(Inputs.Overwrite, false)
  const minMembers = parseInteger(Inputs.MinMembers, 0, Number.MAX_SAFE_INTEGER, 0) as number
  const path = await resolvePath(cohortId)
  return {
    cohortId,
    authorization: auth,
    secrets,
    includeProps,
    propKeys,
    baseUrl,
    pollIntervalMs,
    timeoutMs,
    requestTimeoutMs,
    path,
    uploadArtifact,
    artifactName,
    retentionDays,
    compressionLevel,
    overwrite,
    minMembers
  }
}
