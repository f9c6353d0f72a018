// The baseline of `compare-with: previous-run`: the artifact of the newest earlier run of this workflow, on this
// branch, in this repository, whose whole run succeeded (delivered), downloaded and checked.
import { mkdtemp, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Inputs } from '../config/constants.js'
import { BaselineError, BaselineGoneError, CancelledError, InputError, messageOf } from '../errors.js'
import { GitHub, type RunArtifact } from './rest.js'
import { retry } from '../net/retry.js'
import { onEnterpriseServer, runUrl } from '../runtime/runner.js'
import type { RunContext } from '../runtime/toolkit.js'
import { extractBounded } from './unzip.js'
import type { Baseline, BaselineJob } from './baseline.js'
import type { SpendEntry } from '../cohort/budget.js'
import { checkCsv, checkFile } from './baseline-checks.js'

/**
 * The last delivered export: the artifact of the newest earlier run of this workflow, on this branch, in this
 * repository, that succeeded. Newer runs that did not succeed are passed over (their changes go out again tonight).
 */
export async function fromPreviousRun(
  inputs: BaselineJob,
  token: string,
  context: RunContext,
  /** Receives this cohort's artifacts of this month, delivered or not, as they are looked through. */
  monthExports: SpendEntry[]
): Promise<Baseline | undefined> {
  const { log, env, clock } = context
  // `@actions/artifact` downloads another run's artifact on github.com and GHE.com only.
  if (onEnterpriseServer(env)) {
    throw new InputError(
      Inputs.CompareWith,
      "'previous-run' is not available on GitHub Enterprise Server (the artifact client cannot download another " +
        "run's artifact there): compare with a path to an earlier export instead"
    )
  }
  const github = restClient(inputs, token, context)
  try {
    const { chosen, passedOver } = await findDelivered(
      github,
      inputs.artifactName,
      env,
      clock.now(),
      monthExports
    )
    if (chosen) {
      if (passedOver) {
        log.notice(
          `Run ${passedOver.id} did not succeed (${passedOver.conclusion}): its changes are included again tonight`
        )
      }
      if (chosen.expired) throw gone(chosen, 'has expired')
      log.info(`Comparing with artifact '${chosen.name}' (id ${chosen.id}) of run ${chosen.run.id}`)
      return await fetchArtifact(chosen, inputs, token, context)
    }
    if (github.truncated) {
      throw new BaselineGoneError(
        `no delivered export of '${inputs.artifactName}' is among the newest artifacts of that name that GitHub ` +
          'lists (the lookup reads 1,000 of them)',
        false
      )
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

/**
 * Looks through the artifacts of that name, newest first, for the last delivered export: of a run of this workflow,
 * on this branch, in this repository (never a fork's), that succeeded; the newest run passed over on the way (it did
 * not succeed) is said too. Every artifact of this month of this branch and repository is given to `monthExports`,
 * delivered or not, so that looking goes on through this month once the baseline is found.
 */
async function findDelivered(
  github: GitHub,
  name: string,
  env: RunContext['env'],
  now: number,
  monthExports: SpendEntry[]
): Promise<{ chosen?: RunArtifact; passedOver?: { id: number; conclusion: string } }> {
  const repository = env.GITHUB_REPOSITORY ?? ''
  const branch = env.GITHUB_REF_NAME ?? ''
  const current = await github.run(env.GITHUB_RUN_ID ?? '')
  const runs = new Map<number, Awaited<ReturnType<GitHub['run']>>>()
  let passedOver: { id: number; conclusion: string } | undefined
  let chosen: RunArtifact | undefined
  const monthStart = startOfMonth(now)
  for await (const artifact of github.artifacts(name)) {
    const { run: listed } = artifact
    if (listed.id === current.id || listed.headBranch !== branch || listed.fromFork) continue
    const created = Date.parse(artifact.createdAt)
    if (created >= monthStart) {
      monthExports.push({
        exportedAt: artifact.createdAt,
        requestId: `artifact ${artifact.id}`,
        requests: 1,
        runId: String(listed.id)
      })
    }
    // Once the baseline is chosen, only this month's artifacts are still looked through.
    if (chosen) {
      if (!(created >= monthStart)) break
      continue
    }
    if (!runs.has(listed.id)) runs.set(listed.id, await github.run(String(listed.id)))
    const run = runs.get(listed.id) as Awaited<ReturnType<GitHub['run']>>
    // Never a fork's pull request, whatever its branch is called: its head repository is another one.
    const ours = sameRepository(run.headRepository, repository) && sameRepository(run.repository, repository)
    if (run.workflowId !== current.workflowId || !ours) continue
    if (run.conclusion !== 'success') {
      passedOver ??= { id: run.id, conclusion: run.conclusion ?? 'in progress' }
      continue
    }
    chosen = artifact
  }
  return { chosen, passedOver }
}

/** The REST client of the lookup: rate limits are waited out within `timeout` from now. */
function restClient(inputs: BaselineJob, token: string, context: RunContext): GitHub {
  const { log, env, clock, signal, redact } = context
  return new GitHub({
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    repository: env.GITHUB_REPOSITORY ?? '',
    token,
    clock,
    signal,
    log,
    redact,
    requestTimeoutMs: inputs.requestTimeoutMs,
    deadline: clock.now() + inputs.timeoutMs
  })
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
      throw new BaselineError(source, `the download failed: ${messageOf(error)}`, true)
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

/** Epoch ms of the start of the UTC month of `now`. */
function startOfMonth(now: number): number {
  const date = new Date(now)
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)
}
