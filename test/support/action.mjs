// What the tests, `npm run demo` and the benchmarks need to drive the action and read what it did, in one place:
// the runner's side of the protocol (INPUT_* variables, the folders and files a runner gives a step, the GITHUB_OUTPUT
// command file, workflow commands on stdout), a child-process runner for dist/index.js, valid inputs for a simulator,
// every form of the credentials with a search for leaks of them, and the interface action.yml declares.
//
// Plain JavaScript (ESM) so that the jest tests, the demo and the benchmarks can all load it without a build.
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'

/** The bundled action, `npm run bundle` makes it. */
export const ACTION_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url))

/** The repository the test runs pretend to belong to (artifact URLs name it). */
export const GITHUB_REPOSITORY = 'octo-org/nightly-exports'

// ---- Inputs -------------------------------------------------------------------------------------------------------

/**
 * The variable name the runner gives an input: `INPUT_` + the name upper-cased with spaces as underscores (hyphens
 * stay: `cohort-id` → `INPUT_COHORT-ID`), which is what @actions/core's getInput() reads.
 * @param {string} name
 */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * The INPUT_* variables of `inputs` (names as in action.yml); `undefined` values are left out.
 * @param {Record<string, string | number | boolean | undefined>} inputs
 * @returns {Record<string, string>}
 */
export function inputEnv(inputs) {
  /** @type {Record<string, string>} */
  const env = {}
  for (const [name, value] of Object.entries({ ...actionInputDefaults(), ...inputs }))
    if (value !== undefined) env[inputVariable(name)] = String(value)
  return env
}

/** @type {Record<string, string> | undefined} */
let defaults
/**
 * action.yml's input defaults, which the runner passes for inputs a workflow leaves out (defaults that are
 * expressions, such as `${{ github.token }}`, are left out: only a runner can evaluate them).
 * @returns {Record<string, string>}
 */
export function actionInputDefaults() {
  defaults ??= Object.fromEntries(
    Object.entries(
      /** @type {{ inputs: Record<string, { default?: unknown }> }} */ (
        parseYaml(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8'))
      ).inputs
    )
      .filter(([, input]) => input.default !== undefined && !String(input.default).includes('${{'))
      .map(([name, input]) => [name, String(input.default)])
  )
  return defaults
}

/**
 * Valid inputs for an export of `cohortId` from the simulator `sim`: its credentials and URL, and a 100 ms first
 * poll; `extra` adds or replaces inputs (e.g. `{ 'upload-artifact': 'false' }` where there is no Actions runtime).
 * @param {{ apiKey: string, secretKey: string, apiUrl: string }} sim
 * @param {string} cohortId
 * @param {Record<string, string>} [extra]
 * @returns {Record<string, string>}
 */
export function validInputs(sim, cohortId, extra = {}) {
  return {
    'cohort-id': cohortId,
    'api-key': sim.apiKey,
    'secret-key': sim.secretKey,
    'server-url': sim.apiUrl,
    'poll-interval': '100ms',
    ...extra
  }
}

/**
 * The names declared under a top-level section of action.yml (`inputs` or `outputs`): its two-space-indented keys.
 * @param {'inputs' | 'outputs'} section
 * @param {string} [yml] the file's text (default: this repository's action.yml)
 * @returns {string[]}
 */
export function actionYmlKeys(
  section,
  yml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')
) {
  return Object.keys(/** @type {Record<string, object>} */ (parseYaml(yml))[section] ?? {})
}

// ---- What a runner gives a step, and reads back ------------------------------------------------------------------

/**
 * Creates under `root` what a runner gives a step: the workspace, RUNNER_TEMP, and empty GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files. Returns their paths, the variables that point at them, and readers of the two files.
 * @param {string} root an existing folder
 */
export function prepareRunnerFolders(root) {
  const workspace = join(root, 'workspace')
  const runnerTemp = join(root, 'runner-temp')
  const outputFile = join(root, 'github-output')
  const summaryFile = join(root, 'step-summary')
  for (const dir of [workspace, runnerTemp]) mkdirSync(dir, { recursive: true })
  for (const file of [outputFile, summaryFile]) writeFileSync(file, '')
  return {
    workspace,
    runnerTemp,
    outputFile,
    summaryFile,
    env: {
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp
    },
    /** GITHUB_OUTPUT, parsed. */
    outputs: () => parseCommandFile(readFileSync(outputFile, 'utf8')),
    /** GITHUB_STEP_SUMMARY's content. */
    summary: () => readFileSync(summaryFile, 'utf8')
  }
}

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

export { sha256File } from './sha256.mjs'

// ---- Workflow commands on stdout ---------------------------------------------------------------------------------

/**
 * A workflow command line (`::name key=value,…::message`) as `{ name, message }`, the message decoded as the runner
 * decodes it (`%0D`, `%0A`, then `%25`); undefined for any other line.
 * @param {string} line
 * @returns {{ name: string, message: string } | undefined}
 */
export function workflowCommand(line) {
  const match = /^::([a-z-]+)(?: [^:]*)?::(.*)$/s.exec(line)
  if (!match) return undefined
  const message = match[2].replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
  return { name: match[1], message }
}

/**
 * The decoded messages of the `::error` lines of a run's stdout.
 * @param {string} stdout
 * @returns {string[]}
 */
export function errorLines(stdout) {
  return stdout
    .split('\n')
    .map(workflowCommand)
    .filter(command => command?.name === 'error')
    .map(command => /** @type {{ message: string }} */ (command).message)
}

/**
 * Splits an error into its message and the resume hint that ends every failure after step 1 ('' when none).
 * @param {string} error
 * @returns {[message: string, hint: string]}
 */
export function splitResumeHint(error) {
  const [message, hint = ''] = error.split(/\n(?=To retry without spending another cohort request)/)
  return [message, hint]
}

/**
 * The resume hint for `requestId` as a pattern (the time it stays valid varies).
 * @param {string} requestId
 */
export function resumeHintPattern(requestId) {
  return new RegExp(
    `^To retry without spending another cohort request, resume export request '${requestId}' \\(valid ` +
      `until \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\) by adding this input to the step:\\nrequest-id: ${requestId}$`
  )
}

/**
 * The `::add-mask::` lines of a run's stdout, as written.
 * @param {string} stdout
 */
export function maskCommands(stdout) {
  return stdout.split('\n').filter(l => l.startsWith('::add-mask::'))
}

/**
 * stdout without the `::add-mask::` lines, which by design carry the secrets to the runner.
 * @param {string} stdout
 */
export function withoutMaskCommands(stdout) {
  return stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
}

// ---- Secrets --------------------------------------------------------------------------------------------------

/**
 * Every form a credential may leak in: the key, the secret, `key:secret`, its base64 and the header value.
 * @param {string} apiKey
 * @param {string} secretKey
 */
export function secretForms(apiKey, secretKey) {
  const basic = Buffer.from(`${apiKey}:${secretKey}`).toString('base64')
  return [apiKey, secretKey, `${apiKey}:${secretKey}`, basic, `Basic ${basic}`]
}

/**
 * The forms of which `text` shows any `piece`-character part (a whole form when it is no longer than that), so that
 * a secret cut in half by an excerpt still counts. Meaningful for random secrets, which no log word matches by chance.
 * @param {string} text
 * @param {string[]} forms
 * @param {number} [piece]
 * @returns {string[]}
 */
export function leaks(text, forms, piece = 10) {
  const found = new Set()
  for (const form of forms) {
    if (form.length <= piece) {
      if (text.includes(form)) found.add(form)
      continue
    }
    for (let i = 0; i + piece <= form.length; i++) {
      if (text.includes(form.slice(i, i + piece))) found.add(form)
    }
  }
  return [...found]
}

// ---- dist/index.js as a child process -------------------------------------------------------------------------

/** Variables of this process that a run inherits; everything else (INPUT_*, GITHUB_*, RUNNER_*, proxies...) not. */
const INHERITED = ['PATH', 'HOME', 'USER', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT']

/** Children to SIGKILL if this process exits while they still run. */
const liveChildren = new Set()
let exitHookInstalled = false

/**
 * Makes sure `child` does not outlive this process: it is killed (SIGKILL, synchronously) on this process's 'exit'
 * if it is still running then. (Outside jest only: the `process` of a jest test is a copy that never sees 'exit'.)
 * @param {import('node:child_process').ChildProcess} child
 */
export function killOnExit(child) {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => {
      for (const running of liveChildren) running.kill('SIGKILL')
    })
  }
  liveChildren.add(child)
  child.once('exit', () => liveChildren.delete(child))
}

/**
 * @typedef {{
 *   entry?: string,
 *   env?: Record<string, string | undefined>,
 *   onStdout?: (text: string) => void,
 *   onStderr?: (text: string) => void
 * }} StartOptions
 *   - `entry`: the script to run (default dist/index.js).
 *   - `env`: variables applied after the runner's and the inputs (they override them; `undefined` removes one).
 *   - `onStdout` / `onStderr`: receive the output as it comes.
 */

/**
 * Starts `node dist/index.js` as the runner starts a JavaScript action: in a fresh temp folder (`root`) with a
 * workspace (the working directory), RUNNER_TEMP, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, the inputs as INPUT_*
 * variables, and only a few variables of this process (PATH, HOME, …). The caller removes `root`.
 * @param {Record<string, string | number | boolean | undefined>} inputs names as in action.yml
 * @param {StartOptions} [options]
 */
export function startAction(inputs, options = {}) {
  const root = mkdtempSync(join(tmpdir(), 'action-run-'))
  const folders = prepareRunnerFolders(root)
  /** @type {Record<string, string | undefined>} */
  const env = {}
  for (const name of INHERITED) if (process.env[name] !== undefined) env[name] = process.env[name]
  Object.assign(env, folders.env, inputEnv(inputs), options.env)
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  const childEnv = /** @type {Record<string, string>} */ (env)

  const child = spawn(process.execPath, [options.entry ?? ACTION_ENTRY], {
    cwd: folders.workspace,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  killOnExit(child)
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', text => {
    stdout += text
    options.onStdout?.(text)
  })
  child.stderr.setEncoding('utf8').on('data', text => {
    stderr += text
    options.onStderr?.(text)
  })
  // 'close' (not 'exit') so that stdout and stderr are complete.
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null, at: number }>} */
  const closed = new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal, at: Date.now() }))
  })
  return {
    child,
    closed,
    root,
    workspace: folders.workspace,
    runnerTemp: folders.runnerTemp,
    outputFile: folders.outputFile,
    summaryFile: folders.summaryFile,
    env: childEnv,
    stdout: () => stdout,
    stderr: () => stderr,
    outputs: folders.outputs,
    summary: folders.summary,
    /** Whether the process is still running. */
    running: () => child.exitCode === null && child.signalCode === null
  }
}
