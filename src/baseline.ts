import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { copyFile, link, mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { Inputs } from './constants.js'
import { InputError, messageOf } from './errors.js'
import { GitHub } from './github.js'
import type { ActionInputs } from './inputs.js'
import { type Manifest, parseManifest } from './manifest.js'
import { retry } from './retry.js'
import type { RunContext } from './toolkit.js'

/** The earlier export the new file is compared against, as a plain CSV file on disk. */
export interface Baseline {
  /** `file`, or the ID of the run whose artifact it is. */
  source: string
  csv: string
  /** The run's page, for the summary. */
  runUrl?: string
  manifest?: Manifest
  /** Removes what was downloaded or inflated. */
  dispose(): Promise<void>
}

/** An earlier export exists but cannot be used: comparing against it would give a wrong delta. */
export class BaselineError extends Error {
  constructor(
    /** `file` or the run ID. */
    readonly source: string,
    reason: string
  ) {
    super(
      `${source === 'file' ? 'The baseline file' : `The baseline export from run ${source}`} cannot be used: ${reason}`
    )
    this.name = 'BaselineError'
  }
}

const GZIP = [0x1f, 0x8b]

/**
 * Finds and fetches the baseline before any Amplitude request is spent; undefined when there is no earlier export
 * (the first run, all expired, other branches only). Throws BaselineError when one exists but cannot be used.
 */
export async function findBaseline(inputs: ActionInputs, context: RunContext): Promise<Baseline | undefined> {
  const compare = inputs.compareWith
  if (compare.kind === 'none') return undefined
  if (compare.kind === 'file') return fromFile(compare.path, compare.given, dirname(inputs.path))
  return fromPreviousRun(inputs, compare.token, context)
}

async function fromFile(path: string, given: string, workDir: string): Promise<Baseline> {
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) throw new InputError(Inputs.CompareWith, `names no file: '${given}'`)
  const head = Buffer.alloc(2)
  const file = await open(path)
  await file.read(head, 0, 2, 0).finally(() => file.close())
  const gzip = head[0] === GZIP[0] && head[1] === GZIP[1]
  // A copy of its own (a hard link when it can be): `path` may be that very file, and the download replaces it.
  const dir = await mkdtemp(join(workDir, '.baseline-'))
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true })
  const csv = join(dir, 'baseline.csv')
  try {
    if (gzip) await pipeline(createReadStream(path), createGunzip(), createWriteStream(csv))
    else await link(path, csv).catch(() => copyFile(path, csv))
  } catch (error) {
    await dispose()
    if (!gzip) throw error
    throw new BaselineError('file', `it is gzip that does not inflate (${messageOf(error)})`)
  }
  return { source: 'file', csv, dispose }
}

/** `@actions/artifact` downloads another run's artifact on github.com and GHE.com only. */
function isGhes(serverUrl: string | undefined): boolean {
  const host = new URL(serverUrl || 'https://github.com').hostname.toLowerCase()
  return host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost')
}

async function fromPreviousRun(
  inputs: ActionInputs,
  token: string,
  context: RunContext
): Promise<Baseline | undefined> {
  const { toolkit, clock, signal, redact } = context
  const { env } = toolkit
  if (isGhes(env.GITHUB_SERVER_URL)) {
    throw new InputError(
      Inputs.CompareWith,
      "'previous-run' is not available on GitHub Enterprise Server (the artifact client cannot download another " +
        "run's artifact there): compare with a path to an earlier export instead"
    )
  }
  const repository = env.GITHUB_REPOSITORY ?? ''
  const github = new GitHub({
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    repository,
    token,
    clock,
    signal,
    log: toolkit,
    redact,
    requestTimeoutMs: inputs.requestTimeoutMs
  })
  try {
    const branch = env.GITHUB_REF_NAME ?? ''
    const current = await github.run(env.GITHUB_RUN_ID ?? '')
    const workflows = new Map<number, number>()
    for await (const artifact of github.artifacts(inputs.artifactName)) {
      if (artifact.expired || artifact.run.id === current.id || artifact.run.headBranch !== branch) continue
      if (!workflows.has(artifact.run.id))
        workflows.set(artifact.run.id, (await github.run(String(artifact.run.id))).workflowId)
      if (workflows.get(artifact.run.id) !== current.workflowId) continue
      toolkit.info(`Comparing with artifact '${artifact.name}' (id ${artifact.id}) of run ${artifact.run.id}`)
      return await fetchArtifact(artifact.id, artifact.run.id, inputs, token, context)
    }
    return undefined
  } finally {
    github.dispose()
  }
}

async function fetchArtifact(
  id: number,
  runId: number,
  inputs: ActionInputs,
  token: string,
  { toolkit, clock, signal }: RunContext
): Promise<Baseline | undefined> {
  const { env } = toolkit
  const source = String(runId)
  const dir = await mkdtemp(join(dirname(inputs.path), '.baseline-'))
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true })
  try {
    const [owner, name] = (env.GITHUB_REPOSITORY ?? '').split('/')
    const { downloadRunArtifact } = await import('./artifact.js')
    await retry(
      { operation: 'download', maxAttempts: 3, baseMs: 1000, capMs: 30_000 },
      {
        clock,
        signal,
        retryable: () => true,
        onRetry: (error, attempt) =>
          toolkit.warning(`Baseline download attempt ${attempt} failed: ${error.message}`)
      },
      async () => {
        await rm(dir, { recursive: true, force: true })
        await downloadRunArtifact(id, { token, runId, repositoryOwner: owner, repositoryName: name }, dir)
      }
    ).catch(error => {
      throw new BaselineError(source, `the download failed: ${messageOf(error)}`)
    })
    const found = await readDownloaded(dir, source)
    if (!found) {
      toolkit.warning(
        `The artifact of run ${source} has no manifest (an export by an earlier version of this action): not ` +
          'comparing with it; every member counts as entering'
      )
      await dispose()
      return undefined
    }
    const { manifest, csv } = found
    const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
    return {
      source,
      csv,
      manifest,
      runUrl: `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${source}`,
      dispose
    }
  } catch (error) {
    await dispose()
    throw error
  }
}

/**
 * A downloaded artifact's manifest and membership file, checked against each other; undefined when it has no
 * manifest. Throws BaselineError when the file is missing or its SHA-256 is not the manifest's.
 */
export async function readDownloaded(
  dir: string,
  source: string
): Promise<{ manifest: Manifest; csv: string } | undefined> {
  const manifest = await findManifest(dir)
  if (!manifest) return undefined
  const csv = join(dir, manifest.file)
  const sha256 = await hashFile(csv).catch(() => undefined)
  if (sha256 === undefined) throw new BaselineError(source, `its artifact has no '${manifest.file}'`)
  if (sha256 !== manifest.sha256) {
    throw new BaselineError(
      source,
      `its file's SHA-256 (${sha256}) is not the one its manifest records (${manifest.sha256})`
    )
  }
  return { manifest, csv }
}

/** The manifest among a downloaded artifact's files (JSON files that are not manifests are skipped). */
async function findManifest(dir: string): Promise<Manifest | undefined> {
  for (const entry of await readdir(dir)) {
    if (!entry.endsWith('.json')) continue
    const manifest = parseManifest(await readFile(join(dir, entry), 'utf8'))
    if (manifest) return manifest
  }
  return undefined
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}
