// The baseline: the export the downstream last received, found and checked before any Amplitude request is spent.
// With `previous-run` it is the artifact of the newest earlier run of this workflow, on this branch, in this
// repository, whose whole run succeeded (delivered). With a path, the file there.
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { copyFile, link, mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { Inputs } from '../config/constants.js'
import { MAX_RECORD_BYTES } from '../csv/csv-cursor.js'
import {
  BaselineError,
  BaselineGoneError,
  CancelledError,
  InputError,
  InvalidFileError,
  messageOf,
  MissingKeyColumnError,
  RecordTooLargeError
} from '../errors.js'
import { formatBytes } from '../report/format.js'
import { GitHub, type RunArtifact } from './rest.js'
import type { CohortJob } from '../config/inputs.js'
import { KeyedRows } from '../compare/keyed-rows.js'
import { type Manifest, readManifest } from '../cohort/manifest.js'
import { isGzip } from '../amplitude/save-body.js'
import { retry } from '../net/retry.js'
import { onEnterpriseServer, runUrl } from '../runtime/runner.js'
import type { RunContext } from '../runtime/toolkit.js'
import { extractBounded } from './unzip.js'

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

const LF = 0x0a

/**
 * Finds and fetches the baseline. Undefined when there is none: a first export, or (with `on-missing-baseline:
 * full`) a lost one; a notice or warning says which. Throws BaselineGoneError when the last delivered export is gone
 * and BaselineError when one exists but cannot be used.
 */
/** What finding the baseline reads of the cohort's job. */
export type BaselineJob = Pick<
  CohortJob,
  | 'compareWith'
  | 'onMissingBaseline'
  | 'path'
  | 'compareKey'
  | 'requestTimeoutMs'
  | 'timeoutMs'
  | 'artifactName'
>

export async function findBaseline(inputs: BaselineJob, context: RunContext): Promise<Baseline | undefined> {
  const compare = inputs.compareWith
  if (compare.kind === 'none') return undefined
  try {
    if (compare.kind === 'file') return await fromFile(compare.path, compare.given, inputs, context.signal)
    return await fromPreviousRun(inputs, compare.token, context)
  } catch (error) {
    if (!(error instanceof BaselineGoneError) || inputs.onMissingBaseline === 'fail') throw error
    context.log.warning(
      `${error.message}. '${Inputs.OnMissingBaseline}' is 'full': this run is a full sync (fullSync is true): ` +
        "import 'cohortFile' as a replacement of the whole list"
    )
    return undefined
  }
}

/** A baseline file given by path: checked completely (CSV, key column, record sizes) before a request is spent. */
async function fromFile(
  path: string,
  given: string,
  inputs: BaselineJob,
  signal: AbortSignal
): Promise<Baseline> {
  const info = await stat(path).catch(() => undefined)
  if (!info) throw new BaselineGoneError(`'${given}' does not exist`, true)
  if (!info.isFile()) throw new InputError(Inputs.CompareWith, `names no file: '${given}'`)
  const head = Buffer.alloc(2)
  const file = await open(path)
  await file.read(head, 0, 2, 0).finally(() => file.close())
  const gzip = isGzip(head)
  // A copy of its own (a hard link when it can be): `path` may be that very file, and the download replaces it.
  const dir = await mkdtemp(join(dirname(inputs.path), '.baseline-'))
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true })
  const csv = join(dir, 'baseline.csv')
  try {
    if (gzip) {
      await pipeline(
        createReadStream(path),
        createGunzip(),
        new LineLimit(MAX_RECORD_BYTES),
        createWriteStream(csv),
        {
          signal
        }
      ).catch(error => {
        if (signal.aborted) throw new CancelledError()
        if (error instanceof RecordTooLargeError) throw asBaselineError(error, 'file', inputs.compareKey)
        throw new BaselineError('file', `it is gzip that does not inflate (${messageOf(error)})`)
      })
    } else {
      await link(path, csv).catch(() => copyFile(path, csv))
    }
    await checkCsv(csv, 'file', inputs.compareKey, signal)
    return { source: 'file', csv, dispose }
  } catch (error) {
    await dispose()
    throw error
  }
}

/** Passes bytes through, failing once more than `limit` of them go by without a line feed. */
class LineLimit extends Transform {
  /** Bytes since the last line feed. */
  private run = 0
  constructor(private readonly limit: number) {
    super()
  }
  override _transform(
    chunk: Buffer,
    _encoding: string,
    done: (error?: Error | null, data?: Buffer) => void
  ): void {
    const first = chunk.indexOf(LF)
    if (first === -1) {
      this.run += chunk.length
      return this.run > this.limit ? done(new RecordTooLargeError('baseline', this.limit)) : done(null, chunk)
    }
    let longest = this.run + first
    // Lines inside the chunk can be too long only in a chunk longer than the limit.
    for (let at = first; chunk.length - at > this.limit && longest <= this.limit;) {
      const next = chunk.indexOf(LF, at + 1)
      longest = Math.max(longest, (next === -1 ? chunk.length : next) - at - 1)
      if (next === -1) break
      at = next
    }
    if (longest > this.limit) return done(new RecordTooLargeError('baseline', this.limit))
    this.run = chunk.length - chunk.lastIndexOf(LF) - 1
    done(null, chunk)
  }
}

/**
 * Reads a baseline through to its end before anything is spent on it: its header has the key column, it ends where
 * a record may end, and no record is longer than MAX_RECORD_BYTES. Yields to the event loop as it goes, so a
 * cancellation is noticed.
 */
export async function checkCsv(csv: string, source: string, key: string, signal: AbortSignal): Promise<void> {
  let rows: KeyedRows | undefined
  try {
    rows = new KeyedRows(csv, 'baseline', key)
    for (let n = 1; rows.next(); n++) {
      if (n % 65_536 === 0) {
        await new Promise(resolve => setImmediate(resolve))
        if (signal.aborted) throw new CancelledError()
      }
    }
  } catch (error) {
    throw asBaselineError(error, source, key)
  } finally {
    rows?.close()
  }
}

/** What reading a baseline can fail with, as the BaselineError naming it; any other error as it is. */
export function asBaselineError(error: unknown, source: string, key: string): unknown {
  if (error instanceof MissingKeyColumnError && error.file === 'baseline') {
    return new BaselineError(source, `it has no column '${key}'`)
  }
  if (error instanceof InvalidFileError) return new BaselineError(source, 'it is not a complete CSV file')
  if (error instanceof RecordTooLargeError && error.file === 'baseline') {
    return new BaselineError(
      source,
      `it has a CSV record over ${formatBytes(error.limit)}, longer than any membership row`
    )
  }
  return error
}

/**
 * The last delivered export: the artifact of the newest earlier run of this workflow, on this branch, in this
 * repository, that succeeded. Newer runs that did not succeed are passed over (their changes go out again tonight).
 */
async function fromPreviousRun(
  inputs: BaselineJob,
  token: string,
  context: RunContext
): Promise<Baseline | undefined> {
  const { log, env, clock, signal, redact } = context
  // `@actions/artifact` downloads another run's artifact on github.com and GHE.com only.
  if (onEnterpriseServer(env)) {
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
    log,
    redact,
    requestTimeoutMs: inputs.requestTimeoutMs,
    deadline: clock.now() + inputs.timeoutMs
  })
  try {
    const branch = env.GITHUB_REF_NAME ?? ''
    const current = await github.run(env.GITHUB_RUN_ID ?? '')
    const runs = new Map<number, Awaited<ReturnType<GitHub['run']>>>()
    let passedOver: { id: number; conclusion: string } | undefined
    for await (const artifact of github.artifacts(inputs.artifactName)) {
      const { run: listed } = artifact
      if (listed.id === current.id || listed.headBranch !== branch || listed.fromFork) continue
      if (!runs.has(listed.id)) runs.set(listed.id, await github.run(String(listed.id)))
      const run = runs.get(listed.id) as Awaited<ReturnType<GitHub['run']>>
      // Never a fork's pull request, whatever its branch is called: its head repository is another one.
      const ours =
        sameRepository(run.headRepository, repository) && sameRepository(run.repository, repository)
      if (run.workflowId !== current.workflowId || !ours) continue
      if (run.conclusion !== 'success') {
        passedOver ??= { id: run.id, conclusion: run.conclusion ?? 'in progress' }
        continue
      }
      if (passedOver) {
        log.notice(
          `Run ${passedOver.id} did not succeed (${passedOver.conclusion}): its changes are included again tonight`
        )
      }
      if (artifact.expired) throw gone(artifact, 'has expired')
      log.info(`Comparing with artifact '${artifact.name}' (id ${artifact.id}) of run ${artifact.run.id}`)
      return await fetchArtifact(artifact, inputs, token, context)
    }
    log.notice(
      passedOver
        ? `No earlier run delivered an export to compare with (run ${passedOver.id} did not succeed: ` +
            `${passedOver.conclusion}): every member counts as entering (fullSync)`
        : "No earlier export to compare with: every member counts as entering (as in Amplitude's first sync)"
    )
    return undefined
  } finally {
    github.dispose()
  }
}

function sameRepository(name: string | null, repository: string): boolean {
  return name !== null && name.toLowerCase() === repository.toLowerCase()
}

function gone(artifact: RunArtifact, why: string): BaselineGoneError {
  return new BaselineGoneError(
    `the last delivered export, artifact '${artifact.name}' of run ${artifact.run.id} (${artifact.createdAt}), ${why}`,
    false
  )
}

/**
 * Downloads the artifact as its zip (not inflated by the client) and takes out its manifest and membership file,
 * the file inflated no further than the manifest's `bytes`; then checks the file against the manifest's SHA-256.
 */
async function fetchArtifact(
  artifact: RunArtifact,
  inputs: BaselineJob,
  token: string,
  { log, env, clock, signal }: RunContext
): Promise<Baseline> {
  const runId = artifact.run.id
  const source = String(runId)
  const dir = await mkdtemp(join(dirname(inputs.path), '.baseline-'))
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true })
  try {
    const [owner, name] = (env.GITHUB_REPOSITORY ?? '').split('/')
    const { downloadRunArtifact } = await import('./artifact.js')
    const zipDir = join(dir, 'zip')
    const zip = await retry(
      { operation: 'download', maxAttempts: 3, baseMs: 1000, capMs: 30_000 },
      {
        clock,
        signal,
        retryable: () => true,
        onRetry: (error, attempt) =>
          log.warning(`Baseline download attempt ${attempt} failed: ${error.message}`)
      },
      async () => {
        await rm(zipDir, { recursive: true, force: true })
        return downloadRunArtifact(
          artifact.id,
          { token, runId, repositoryOwner: owner, repositoryName: name },
          zipDir
        )
      }
    ).catch(error => {
      if (signal.aborted) throw new CancelledError()
      throw new BaselineError(source, `the download failed: ${messageOf(error)}`)
    })
    const files = join(dir, 'files')
    const manifest = await extractBounded(zip, files, source)
    const csv = await checkFile(files, manifest, source)
    await rm(zipDir, { recursive: true, force: true })
    await checkCsv(csv, source, inputs.compareKey, signal)
    return {
      source,
      csv,
      manifest,
      runUrl: runUrl(env, source),
      dispose
    }
  } catch (error) {
    await dispose()
    throw error
  }
}

/**
 * A downloaded (already unzipped) artifact's manifest and membership file, checked against each other. Throws
 * BaselineError when it has no valid manifest, the file is missing, or its SHA-256 is not the manifest's.
 */
export async function readDownloaded(
  dir: string,
  source: string
): Promise<{ manifest: Manifest; csv: string }> {
  const manifests = (await readdir(dir)).filter(entry => entry.endsWith('.json'))
  if (manifests.length === 0) throw new BaselineError(source, 'its artifact has no manifest')
  const manifest = readManifest(await readFile(join(dir, manifests[0]), 'utf8'), source)
  return { manifest, csv: await checkFile(dir, manifest, source) }
}

/** The manifest's membership file in `dir`, when its SHA-256 is the manifest's. */
async function checkFile(dir: string, manifest: Manifest, source: string): Promise<string> {
  const csv = join(dir, manifest.file)
  const sha256 = await hashFile(csv).catch(() => undefined)
  if (sha256 === undefined) throw new BaselineError(source, `its artifact has no '${manifest.file}'`)
  if (sha256 !== manifest.sha256) {
    throw new BaselineError(
      source,
      `its file's SHA-256 (${sha256}) is not the one its manifest records (${manifest.sha256})`
    )
  }
  return csv
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}
