// Runs the action's `run()` in this process the way the runner would start it: inputs as INPUT_* variables, a fresh
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, RUNNER_TEMP and GITHUB_WORKSPACE in a temp folder; captures everything the
// action writes to stdout (where @actions/core writes logs and workflow commands).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import { run } from '../../src/main.js'
import { parseCommandFile } from '../e2e/harness.mjs'

export interface ActionRun {
  exitCode: number
  stdout: string
  outputs: Record<string, string>
  summary: string
  runnerTemp: string
  workspace: string
  /** Files left in RUNNER_TEMP (where the default `path` points). */
  tempFiles: string[]
}

// The runner's command-file format (GITHUB_OUTPUT), parsed strictly: shared with the end-to-end harness.
export { parseCommandFile }

/** The temp folders of the runs so far, removed by removeRunDirs(). */
const runDirs: string[] = []

/** Removes the temp folders of every run (call it in afterAll). */
export function removeRunDirs(): void {
  for (const dir of runDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

const KEEP = new Set(['PATH', 'HOME', 'TMPDIR', 'NODE_OPTIONS', 'LANG', 'TZ'])

/**
 * Runs the action in-process with `inputs` (names as in action.yml). Environment variables other than the basic
 * ones are cleared for the run and restored afterwards, so no INPUT_* leaks between tests.
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {}
): Promise<ActionRun> {
  const root = mkdtempSync(join(tmpdir(), 'action-run-'))
  runDirs.push(root)
  const runnerTemp = join(root, 'runner-temp')
  const workspace = join(root, 'workspace')
  const outputFile = join(root, 'github-output')
  const summaryFile = join(root, 'step-summary')
  for (const dir of [runnerTemp, workspace]) mkdirSync(dir)
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const saved = { ...process.env }
  for (const key of Object.keys(process.env)) if (!KEEP.has(key)) delete process.env[key]
  Object.assign(process.env, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo-org/nightly-exports',
    GITHUB_RUN_ID: '4242',
    ...env
  })
  for (const [name, value] of Object.entries(inputs)) {
    process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  const chunks: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    const callback = rest.find(r => typeof r === 'function') as (() => void) | undefined
    callback?.()
    return true
  }) as typeof process.stdout.write
  // core.summary is a process-wide singleton that remembers the first GITHUB_STEP_SUMMARY it saw; a real run has one.
  ;(core.summary as unknown as { _filePath?: string })._filePath = undefined
  core.summary.emptyBuffer()
  const previousExitCode = process.exitCode
  process.exitCode = 0
  try {
    await run()
  } finally {
    process.stdout.write = write
  }
  const exitCode = Number(process.exitCode ?? 0)
  process.exitCode = previousExitCode
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key]
  Object.assign(process.env, saved)
  return {
    exitCode,
    stdout: chunks.join(''),
    outputs: parseCommandFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    runnerTemp: runnerTemp,
    workspace: workspace,
    tempFiles: readdirSync(runnerTemp)
  }
}

/** The `::error::` lines of a run, decoded. */
export function errorLines(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter(l => l.startsWith('::error'))
    .map(l =>
      l
        .replace(/^::error[^:]*::/, '')
        .replace(/%0A/g, '\n')
        .replace(/%0D/g, '\r')
        .replace(/%25/g, '%')
    )
}

/** Every form a secret may leak in, given the key pair: the key, the secret, base64 of `key:secret`. */
export function secretForms(apiKey: string, secretKey: string): string[] {
  return [apiKey, secretKey, Buffer.from(`${apiKey}:${secretKey}`).toString('base64')]
}

/** stdout without the `::add-mask::` lines, which by design carry the secrets to the runner. */
export function withoutMaskCommands(stdout: string): string {
  return stdout
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
}
