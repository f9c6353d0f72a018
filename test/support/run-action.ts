// Runs the action's `run()` in this process the way the runner would start it, through a fake toolkit: inputs by
// name, RUNNER_TEMP and GITHUB_WORKSPACE in a temp folder, and everything the action logs recorded in @actions/core's
// stdout format. A test clock skips every wait (poll, backoff, Retry-After) and records it.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../../src/main.js'
import { parseCommandFile } from '../e2e/harness.mjs'
import { FakeToolkit } from './fake-toolkit.js'
import { TestClock } from './test-clock.js'

export interface ActionRun {
  exitCode: number
  stdout: string
  outputs: Record<string, string>
  summary: string
  runnerTemp: string
  workspace: string
  /** Files left in RUNNER_TEMP (where the default `path` points). */
  tempFiles: string[]
  /** The waits the action asked for (poll waits, retry backoff, Retry-After), in ms. */
  sleeps: number[]
}

// The runner's command-file format (GITHUB_OUTPUT), parsed strictly: shared with the end-to-end harness.
export { parseCommandFile }

/** The temp folders of the runs so far, removed by removeRunDirs(). */
const runDirs: string[] = []

/** Removes the temp folders of every run (call it in afterAll). */
export function removeRunDirs(): void {
  for (const dir of runDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/**
 * Runs the action in-process with `inputs` (names as in action.yml) and the runner's environment plus `env`, on
 * `clock` (a fresh TestClock by default).
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  clock = new TestClock(),
  /** Prepares the workspace (files a run reads) before the run starts. */
  setup?: (workspace: string) => void
): Promise<ActionRun> {
  const root = mkdtempSync(join(tmpdir(), 'action-run-'))
  runDirs.push(root)
  const runnerTemp = join(root, 'runner-temp')
  const workspace = join(root, 'workspace')
  for (const dir of [runnerTemp, workspace]) mkdirSync(dir)
  setup?.(workspace)
  const toolkit = new FakeToolkit(inputs, {
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo-org/nightly-exports',
    GITHUB_RUN_ID: '4242',
    ...env
  })
  await run(toolkit, clock)
  return {
    exitCode: toolkit.exitCode,
    stdout: toolkit.stdout,
    outputs: toolkit.outputs,
    summary: toolkit.summary,
    runnerTemp,
    workspace,
    tempFiles: readdirSync(runnerTemp),
    sleeps: clock.sleeps
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
