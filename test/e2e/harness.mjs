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
import { spawn } from 'node:child_process'
import { randomInt, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startSimulator } from '../sim/amplitude-simulator.mjs'
import { startAzurite } from './azurite.mjs'
import { makeRuntimeToken, startResultsService } from './results-service.mjs'

/** The bundled action, `npm run bundle` makes it. */
export const ACTION_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url))

export const GITHUB_REPOSITORY = 'octo-org/nightly-exports'

/** Variables of this process that a run inherits; everything else (INPUT_*, GITHUB_*, RUNNER_*, proxies...) not. */
const INHERITED = ['PATH', 'HOME', 'USER', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT']

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
 *   runAction: (inputs: Record<string, string | number | boolean | undefined>, options?: RunOptions) => Promise<RunResult>,
 *   stop: () => Promise<void>
 * }} Harness
 */

/**
 * Parses a GITHUB_OUTPUT / GITHUB_ENV file: `name<<DELIMITER\nvalue\nDELIMITER` blocks (what @actions/core writes,
 * DELIMITER being `ghadelimiter_<uuid>`), and plain `name=value` lines. Later values win, as on the runner.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseCommandFile(text) {
  /** @type {Record<string, string>} */
  const out = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i])
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      if (i >= lines.length) throw new Error(`unterminated value of '${name}': no closing ${delimiter}`)
      out[name] = value.join('\n')
      continue
    }
    const plain = /^([^=]+)=(.*)$/.exec(lines[i])
    if (plain) out[plain[1]] = plain[2]
    else if (lines[i] !== '') throw new Error(`unparsable line in command file: ${JSON.stringify(lines[i])}`)
  }
  return out
}

/**
 * The variable name the runner gives an input: `INPUT_` + the name upper-cased with spaces as underscores (hyphens
 * stay: `cohort-id` → `INPUT_COHORT-ID`), which is what @actions/core's getInput() reads.
 * @param {string} name
 */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** Children of runAction() still running, killed if this process exits first. */
const liveRuns = new Set()
let exitHookInstalled = false
function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of liveRuns) child.kill('SIGKILL')
  })
}

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
  let sim, azurite, results
  try {
    sim = await startSimulator(options.simulatorOptions)
    stoppers.push(() => sim.close())
    azurite = await startAzurite(options.azuriteOptions)
    stoppers.push(() => azurite.stop())
    results = await startResultsService({ ...options.resultsOptions, azurite, token })
    stoppers.push(() => results.stop())
  } catch (error) {
    await stop().catch(() => undefined)
    throw error
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
    const root = mkdtempSync(join(tmpdir(), 'action-e2e-'))
    tempDirs.push(root)
    const workspace = join(root, 'workspace')
    const runnerTemp = join(root, 'runner-temp')
    const outputFile = join(root, 'github-output')
    const summaryFile = join(root, 'step-summary')
    for (const dir of [workspace, runnerTemp]) mkdirSync(dir)
    for (const file of [outputFile, summaryFile]) writeFileSync(file, '')

    /** @type {Record<string, string | undefined>} */
    const env = {}
    for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name]
    Object.assign(env, {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY,
      GITHUB_RUN_ID: runId,
      GITHUB_RUN_ATTEMPT: '1',
      ACTIONS_RESULTS_URL: results.url,
      ACTIONS_RUNTIME_TOKEN: token
    })
    for (const [name, value] of Object.entries(inputs)) {
      if (value !== undefined) env[inputVariable(name)] = String(value)
    }
    Object.assign(env, runOptions.env)
    for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
    const childEnv = /** @type {Record<string, string>} */ (env)

    installExitHook()
    const started = Date.now()
    const child = spawn(process.execPath, [ACTION_ENTRY], {
      cwd: workspace,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe']
    })
    liveRuns.add(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', text => {
      stdout += text
      runOptions.onStdout?.(text)
    })
    child.stderr.setEncoding('utf8').on('data', text => {
      stderr += text
      runOptions.onStderr?.(text)
    })

    let timedOut = false
    let aborted = false
    /** @type {NodeJS.Timeout | undefined} */
    let graceTimer
    const kill = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')
    const timeoutTimer = setTimeout(() => {
      timedOut = true
      kill()
    }, runOptions.timeoutMs ?? 120_000)
    const onAbort = () => {
      aborted = true
      child.kill('SIGINT')
      graceTimer = setTimeout(kill, runOptions.graceMs ?? 7500)
    }
    if (runOptions.signal?.aborted) onAbort()
    else runOptions.signal?.addEventListener('abort', onAbort, { once: true })

    // 'close' (not 'exit') so that stdout and stderr are complete.
    const closed = new Promise((resolve, reject) => {
      child.once('error', reject)
      child.once('close', (code, signal) => resolve({ code, signal }))
    })
    const handle = {
      stop: async () => {
        kill()
        await closed.catch(() => undefined)
      }
    }
    runs.add(handle)
    let exit
    try {
      exit = await closed
    } finally {
      clearTimeout(timeoutTimer)
      clearTimeout(graceTimer)
      runOptions.signal?.removeEventListener('abort', onAbort)
      liveRuns.delete(child)
      runs.delete(handle)
    }

    let outputs
    try {
      outputs = parseCommandFile(readFileSync(outputFile, 'utf8'))
    } catch (error) {
      throw new Error(`GITHUB_OUTPUT (${outputFile}) is malformed: ${error.message}\nstdout:\n${stdout}`)
    }
    return {
      code: exit.code,
      signal: exit.signal,
      timedOut,
      aborted,
      durationMs: Date.now() - started,
      stdout,
      stderr,
      outputs,
      summary: readFileSync(summaryFile, 'utf8'),
      workspace,
      runnerTemp,
      env: childEnv
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
    runAction,
    stop
  }
}
