#!/usr/bin/env node
// Runs one job of a workflow here, the way a GitHub runner would run it on a clean machine, in a folder that holds
// the repository's files and no node_modules: .ci/run uses it to prove that the `action` job of ci.yml (the
// simulator, then `uses: ./`, then the checks) needs no `npm ci`.
//
//   node script/run-ci-job.mjs --dir COPY [--workflow .github/workflows/ci.yml] [--job action]
//
// What a runner does and this does too: each `run:` step in bash (`bash --noprofile --norc -eo pipefail`, as
// `shell: bash` on a runner) in COPY, with the step's `env:`, RUNNER_OS, RUNNER_TEMP, GITHUB_WORKSPACE and a fresh
// GITHUB_OUTPUT whose values become `steps.<id>.outputs`; `uses: ./` as the runner starts a node action: action.yml's
// `runs.main` under the Node on PATH, with INPUT_* variables from `with:` and action.yml's defaults, and an Actions
// runtime (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL) served by the e2e results-service stub and Azurite, so the
// upload really happens; `if:` with always() or a comparison of a context with a string; a failed step skips the
// steps after it that are not `if: always()`. The matrix is the leg whose runner OS is this machine's.
// What it does not: actions of other repositories. actions/checkout and actions/setup-node are skipped (COPY is the
// checkout; the Node on PATH is the job's, and a warning says so when its major differs from .node-version); any
// other `uses:` fails the run, as does an expression it does not know, so the job cannot outgrow this silently.
//
// It runs from this checkout (it needs the yaml package, Azurite and the stubs); the job's own processes run in COPY.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { randomUUID } from 'node:crypto'
import { parse } from 'yaml'
import { startAzurite } from '../test/e2e/azurite.mjs'
import { makeRuntimeToken, startResultsService } from '../test/e2e/results-service.mjs'
import {
  GITHUB_REPOSITORY,
  actionInputDefaults,
  inputVariable,
  parseCommandFile
} from '../test/support/action.mjs'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    workflow: { type: 'string', default: '.github/workflows/ci.yml' },
    job: { type: 'string', default: 'action' }
  }
})
if (!values.dir) {
  console.error('usage: node script/run-ci-job.mjs --dir COPY [--workflow FILE] [--job ID]')
  process.exit(2)
}
const dir = resolve(values.dir)
if (existsSync(join(dir, 'node_modules'))) {
  console.error(`${dir} has a node_modules folder: the point is a copy without one`)
  process.exit(2)
}

const workflow = parse(readFileSync(join(dir, values.workflow), 'utf8'))
const job = workflow.jobs?.[values.job]
if (!job) throw new Error(`${values.workflow} has no job '${values.job}'`)
const runnerOs = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' }[process.platform] ?? process.platform
const osLabel = { Linux: 'ubuntu', macOS: 'macos', Windows: 'windows' }[runnerOs]
/** @type {Record<string, string>} */
const matrix = {}
for (const [key, list] of Object.entries(job.strategy?.matrix ?? {})) {
  if (!Array.isArray(list)) throw new Error(`matrix '${key}' is not a list: not supported here`)
  matrix[key] = String(key === 'os' ? (list.find(os => String(os).startsWith(osLabel)) ?? list[0]) : list[0])
}
const defaultShell = job.defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? 'bash'

const runnerTemp = mkdtempSync(join(tmpdir(), 'ci-job-'))
/** @type {Record<string, Record<string, string>>} */
const stepOutputs = {}

/** The value of a context path such as `steps.sim.outputs.sha256`, `matrix.os` or `runner.temp`. */
function context(path) {
  const steps = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(path)
  if (steps) return stepOutputs[steps[1]]?.[steps[2]] ?? ''
  const m = /^matrix\.([\w-]+)$/.exec(path)
  if (m && m[1] in matrix) return matrix[m[1]]
  if (path === 'runner.os') return runnerOs
  if (path === 'runner.temp') return runnerTemp
  throw new Error(`expression '${path}' is not supported by script/run-ci-job.mjs`)
}

/** `text` with every `${{ context.path }}` replaced by its value. */
function interpolate(text) {
  return String(text).replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, path) => context(path))
}

/** Whether a step with `if: condition` runs, given whether a step before it failed. */
function shouldRun(condition, failed) {
  if (condition === undefined) return !failed
  const text = String(condition)
    .replace(/^\$\{\{\s*|\s*\}\}$/g, '')
    .trim()
  if (text === 'always()') return true
  if (text === 'success()') return !failed
  if (text === 'failure()') return failed
  const comparison = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(text)
  if (!comparison) throw new Error(`if: '${text}' is not supported by script/run-ci-job.mjs`)
  const equal = context(comparison[1]).toLowerCase() === comparison[3].toLowerCase()
  return !failed && (comparison[2] === '==' ? equal : !equal)
}

/**
 * Runs a process to its end with this terminal as its output; resolves to its exit code. Never spawnSync: the
 * results-service stub the action uploads to is served by this process's event loop.
 */
function execute(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'inherit', 'inherit'] })
    child.once('error', reject)
    child.once('exit', code => resolve(code ?? 1))
  })
}

const nodeMajor = process.versions.node.split('.')[0]
const wantedNode = readFileSync(join(dir, '.node-version'), 'utf8').trim().split('.')[0]

// The Actions runtime the upload needs: the results-service stub over Azurite, as in the e2e tests.
const workflowRunBackendId = randomUUID()
const token = makeRuntimeToken({ workflowRunBackendId, workflowJobRunBackendId: randomUUID() })
const azurite = await startAzurite()
const results = await startResultsService({ azurite, token })
const runnerEnv = {
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_REPOSITORY,
  GITHUB_REF_NAME: 'main',
  GITHUB_RUN_ID: '1',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_WORKSPACE: dir,
  RUNNER_OS: runnerOs,
  RUNNER_TEMP: runnerTemp,
  ACTIONS_RESULTS_URL: results.url,
  ACTIONS_RUNTIME_TOKEN: token
}

let failed = false
try {
  console.log(
    `job '${values.job}' of ${values.workflow} in ${dir}` + (matrix.os ? ` (matrix os: ${matrix.os})` : '')
  )
  for (const [index, step] of (job.steps ?? []).entries()) {
    const name = interpolate(step.name ?? step.uses ?? String(step.run).split('\n')[0])
    if (!shouldRun(step.if, failed)) {
      console.log(`::group::${name} (skipped: if ${step.if ?? 'success()'})\n::endgroup::`)
      continue
    }
    const outputFile = join(runnerTemp, `output-${index}`)
    const summaryFile = join(runnerTemp, `summary-${index}`)
    writeFileSync(outputFile, '')
    writeFileSync(summaryFile, '')
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, interpolate(v)]))
    const env = {
      ...process.env,
      ...runnerEnv,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...stepEnv
    }
    console.log(`::group::${name}`)
    let status
    if (typeof step.uses === 'string' && /^actions\/(checkout|setup-node)@/.test(step.uses)) {
      const setupNode = step.uses.startsWith('actions/setup-node@')
      console.log(
        setupNode
          ? `skipped: the Node on PATH is v${process.versions.node}`
          : `skipped: ${dir} is the checkout (no node_modules)`
      )
      if (setupNode && nodeMajor !== wantedNode) {
        console.log(
          `::warning::.node-version says ${wantedNode}, the job would run Node ${wantedNode}, not ${nodeMajor}`
        )
      }
      status = 0
    } else if (step.uses === './') {
      const action = parse(readFileSync(join(dir, 'action.yml'), 'utf8'))
      /** @type {Record<string, string>} */
      const inputs = { ...actionInputDefaults() }
      // `github-token` defaults to `${{ github.token }}`, which only a runner has; this job does not use it.
      for (const [key, value] of Object.entries(step.with ?? {})) inputs[key] = interpolate(value)
      for (const [key, value] of Object.entries(inputs)) env[inputVariable(key)] = value
      console.log(
        `node ${action.runs.main} (runs.using: ${action.runs.using}, here Node ${process.versions.node})`
      )
      status = await execute(process.execPath, [join(dir, action.runs.main)], { cwd: dir, env })
    } else if (step.run !== undefined) {
      const shell = step.shell ?? defaultShell
      if (shell !== 'bash') throw new Error(`step '${name}': shell '${shell}' is not supported here`)
      const script = join(runnerTemp, `step-${index}.sh`)
      writeFileSync(script, interpolate(step.run))
      status = await execute('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: dir, env })
    } else {
      throw new Error(`step '${name}': 'uses: ${step.uses}' cannot run here`)
    }
    if (step.id) stepOutputs[step.id] = parseCommandFile(readFileSync(outputFile, 'utf8'))
    console.log('::endgroup::')
    if (status !== 0) {
      console.log(`step '${name}' failed (exit ${status})`)
      failed = true
    }
  }
} finally {
  // A runner ends what the job left running; here, the processes a step announced as its `pid` output.
  for (const outputs of Object.values(stepOutputs)) {
    if (outputs.pid) {
      try {
        process.kill(Number(outputs.pid))
      } catch {
        // already gone
      }
    }
  }
  await results.stop()
  await azurite.stop()
  rmSync(runnerTemp, { recursive: true, force: true })
}
console.log(`job '${values.job}': ${failed ? 'failed' : 'succeeded'}`)
process.exit(failed ? 1 : 0)
