// The end-to-end harness: the Amplitude simulator, Azurite and the results-service stub on loopback ports, and
// `runAction()`, which runs the bundled action (dist/index.js) as a child process with the environment a GitHub
// runner gives a JavaScript action: inputs as INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files,
// RUNNER_TEMP, GITHUB_WORKSPACE, and ACTIONS_RESULTS_URL / ACTIONS_RUNTIME_TOKEN pointing at the stub.
//
// Plain JavaScript (ESM) so that the jest tests, `npm run demo` and the benchmarks can all load it without a build.
//
//   const h = await startHarness()
//   try {
//     await h.sim.addCohort('c1', { members: 10 })
//     const run = await h.runAction({ 'cohort-id': 'c1', 'api-key': h.sim.apiKey, ... })
//   } finally {
//     await h.stop()
//   }
import { randomInt, randomUUID } from 'node:crypto'
import { existsSync, rmSync } from 'node:fs'
import { startSimulator } from '../sim/amplitude-simulator.mjs'
import { ACTION_ENTRY, GITHUB_REPOSITORY, startAction } from '../support/action.mjs'
import { startAzurite } from './azurite.mjs'
import { startGitHubApi } from './github-api.mjs'
import { makeRuntimeToken, startResultsService } from './results-service.mjs'

/**
 * @typedef {{
 *   env?: Record<string, string | undefined>,
 *   signal?: AbortSignal,
 *   timeoutMs?: number,
 *   graceMs?: number,
 *   onStdout?: (text: string) => void,
 *   onStderr?: (text: string) => void
 * }} RunOptions
 *   - `env`: extra variables, applied last (they override the harness's; `undefined` removes one), e.g.
 *     `{ RUNNER_DEBUG: '1' }` or `{ GITHUB_RUN_ATTEMPT: '2' }`.
 *   - `signal`: cancels the run like the runner cancels a step: SIGINT, then SIGKILL after `graceMs` (default 7.5 s).
 *   - `timeoutMs`: SIGKILL after this long (default 120 s); the result then has `timedOut: true`.
 *   - `onStdout` / `onStderr`: receive the output as it comes (e.g. `s => process.stdout.write(s)`).
 *
 * @typedef {{
 *   code: number | null,
 *   signal: NodeJS.Signals | null,
 *   timedOut: boolean,
 *   aborted: boolean,
 *   durationMs: number,
 *   stdout: string,
 *   stderr: string,
 *   outputs: Record<string, string>,
 *   summary: string,
 *   workspace: string,
 *   runnerTemp: string,
 *   env: Record<string, string>
 * }} RunResult
 *   `outputs` is GITHUB_OUTPUT parsed, `summary` GITHUB_STEP_SUMMARY's content, `env` what the child was given.
 *
 * @typedef {{
 *   simulatorOptions?: { apiKey?: string, secretKey?: string, dir?: string },
 *   azuriteOptions?: import('./azurite.mjs').AzuriteOptions,
 *   resultsOptions?: { sasTtlMs?: number, firstArtifactId?: number },
 *   keepTemp?: boolean
 * }} HarnessOptions
 *   `keepTemp` keeps the runs' temp folders after stop() (also with E2E_KEEP_TEMP=1), for debugging.
 *
 * @typedef {{
 *   sim: import('../sim/amplitude-simulator.mjs').AmplitudeSimulator,
 *   azurite: import('./azurite.mjs').Azurite,
 *   results: import('./results-service.mjs').ResultsService,
 *   runId: string,
 *   workflowRunBackendId: string,
 *   workflowJobRunBackendId: string,
 *   token: string,
 *   github: import('./github-api.mjs').GitHubApi,
 *   githubToken: string,
 *   newRun: (options?: { workflowId?: number, branch?: string, conclusion?: string | null, headRepository?: string })
 *     => { id: string, env: Record<string, string>, conclude: (conclusion: string | null) => void },
 *   runAction: (inputs: Record<string, string | number | boolean | undefined>, options?: RunOptions) => Promise<RunResult>,
 *   stop: () => Promise<void>
 * }} Harness
 *   `github` is the GitHub REST stub at GITHUB_API_URL; `githubToken` is what the runner passes as
 *   `${{ github.token }}`. `newRun()` makes another workflow run (its own run ID and runtime token, registered with
 *   both stubs): pass its `env` to runAction() to run the action in it, as for a second nightly run.
 */

/**
 * Starts the simulator, Azurite and the results-service stub (stopping what started if one fails).
 * @param {HarnessOptions} [options]
 * @returns {Promise<Harness>}
 */
export async function startHarness(options = {}) {
  const keepTemp = options.keepTemp ?? process.env.E2E_KEEP_TEMP === '1'
  /** @type {(() => Promise<void>)[]} stoppers, run in reverse order */
  const stoppers = []
  /** @type {Set<{ stop: () => Promise<void> }>} runs in progress */
  const runs = new Set()
  /** @type {string[]} */
  const tempDirs = []
  let stopping

  const stop = () => {
    stopping ??= (async () => {
      await Promise.allSettled([...runs].map(run => run.stop()))
      const errors = []
      for (const stopper of stoppers.reverse()) {
        try {
          await stopper()
        } catch (error) {
          errors.push(error)
        }
      }
      if (!keepTemp) for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
      if (errors.length) throw new AggregateError(errors, 'the harness did not stop cleanly')
    })()
    return stopping
  }

  const runId = String(randomInt(1_000_000_000, 9_999_999_999))
  const workflowRunBackendId = randomUUID()
  const workflowJobRunBackendId = randomUUID()
  const token = makeRuntimeToken({ workflowRunBackendId, workflowJobRunBackendId })
  const githubToken = `ghs_${randomUUID().replace(/-/g, '')}`
  let sim, azurite, results, github
  try {
    sim = await startSimulator(options.simulatorOptions)
    stoppers.push(() => sim.close())
    azurite = await startAzurite(options.azuriteOptions)
    stoppers.push(() => azurite.stop())
    results = await startResultsService({ ...options.resultsOptions, azurite, token })
    stoppers.push(() => results.stop())
    github = await startGitHubApi({ results, repository: GITHUB_REPOSITORY, token: githubToken })
    stoppers.push(() => github.stop())
    github.addRun({ id: Number(runId), workflowId: 1, headBranch: 'main', workflowRunBackendId })
  } catch (error) {
    await stop().catch(() => undefined)
    throw error
  }

  const newRun = ({ workflowId = 1, branch = 'main', conclusion, headRepository } = {}) => {
    const id = randomInt(1_000_000_000, 9_999_999_999)
    const backendId = randomUUID()
    const runtimeToken = makeRuntimeToken({
      workflowRunBackendId: backendId,
      workflowJobRunBackendId: randomUUID()
    })
    results.otherTokens.add(runtimeToken)
    const run = {
      id,
      workflowId,
      headBranch: branch,
      workflowRunBackendId: backendId,
      conclusion,
      headRepository
    }
    github.addRun(run)
    return {
      id: String(id),
      /** Sets how the run ended, as GitHub will report it to later runs. @param {string | null} value */
      conclude: value => {
        run.conclusion = value
      },
      env: { GITHUB_RUN_ID: String(id), ACTIONS_RUNTIME_TOKEN: runtimeToken, GITHUB_REF_NAME: branch }
    }
  }

  /**
   * Runs dist/index.js once with these inputs (names as in action.yml; `undefined` values are left out).
   * @param {Record<string, string | number | boolean | undefined>} inputs
   * @param {RunOptions} [runOptions]
   * @returns {Promise<RunResult>}
   */
  const runAction = async (inputs, runOptions = {}) => {
    if (stopping) throw new Error('the harness is stopped')
    if (!existsSync(ACTION_ENTRY)) {
      throw new Error(`${ACTION_ENTRY} does not exist: run \`npm run bundle\` first`)
    }
    // The runner evaluates `${{ github.token }}`, the default of `github-token`.
    const run = startAction(
      { 'github-token': githubToken, ...inputs },
      {
        env: {
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_SERVER_URL: 'https://github.com',
          GITHUB_API_URL: github.url,
          GITHUB_REPOSITORY,
          GITHUB_REF_NAME: 'main',
          GITHUB_RUN_ID: runId,
          GITHUB_RUN_ATTEMPT: '1',
          ACTIONS_RESULTS_URL: results.url,
          ACTIONS_RUNTIME_TOKEN: token,
          ...runOptions.env
        },
        onStdout: runOptions.onStdout,
        onStderr: runOptions.onStderr
      }
    )
    tempDirs.push(run.root)
    const started = Date.now()

    let timedOut = false
    let aborted = false
    /** @type {NodeJS.Timeout | undefined} */
    let graceTimer
    const kill = () => run.running() && run.child.kill('SIGKILL')
    const timeoutTimer = setTimeout(() => {
      timedOut = true
      kill()
    }, runOptions.timeoutMs ?? 120_000)
    const onAbort = () => {
      aborted = true
      run.child.kill('SIGINT')
      graceTimer = setTimeout(kill, runOptions.graceMs ?? 7500)
    }
    if (runOptions.signal?.aborted) onAbort()
    else runOptions.signal?.addEventListener('abort', onAbort, { once: true })

    const handle = {
      stop: async () => {
        kill()
        await run.closed.catch(() => undefined)
      }
    }
    runs.add(handle)
    let exit
    try {
      exit = await run.closed
    } finally {
      clearTimeout(timeoutTimer)
      clearTimeout(graceTimer)
      runOptions.signal?.removeEventListener('abort', onAbort)
      runs.delete(handle)
    }

    let outputs
    try {
      outputs = run.outputs()
    } catch (error) {
      throw new Error(
        `GITHUB_OUTPUT (${run.outputFile}) is malformed: ${error.message}\nstdout:\n${run.stdout()}`
      )
    }
    return {
      code: exit.code,
      signal: exit.signal,
      timedOut,
      aborted,
      durationMs: exit.at - started,
      stdout: run.stdout(),
      stderr: run.stderr(),
      outputs,
      summary: run.summary(),
      workspace: run.workspace,
      runnerTemp: run.runnerTemp,
      env: run.env
    }
  }

  return {
    sim,
    azurite,
    results,
    runId,
    workflowRunBackendId,
    workflowJobRunBackendId,
    token,
    github,
    githubToken,
    newRun,
    runAction,
    stop
  }
}
