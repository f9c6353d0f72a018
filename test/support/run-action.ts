// Runs the action's `run()` in this process the way the runner would start it, through a fake toolkit: inputs by
// name (action.yml's defaults for the rest), RUNNER_TEMP and GITHUB_WORKSPACE in a temp folder, and everything the
// action logs recorded in @actions/core's stdout format. A test clock skips every wait (poll, backoff, Retry-After)
// and records it.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../../src/main.js'
import { GITHUB_REPOSITORY, prepareRunnerFolders } from './action.mjs'
import { FakeToolkit } from './fake-toolkit.js'
import type { EventClock } from './event-clock.js'
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

/** The temp folders of the runs so far, removed by removeRunDirs(). */
const runDirs: string[] = []

/** Removes the temp folders of every run (call it in afterAll). */
export function removeRunDirs(): void {
  for (const dir of runDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/**
 * Runs the action in-process with `inputs` (names as in action.yml) and the runner's environment plus `env`, on
 * `clock` (a fresh TestClock by default); `setup` prepares the workspace (files a run reads) first.
 */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  clock: TestClock | EventClock = new TestClock(),
  setup?: (workspace: string) => void
): Promise<ActionRun> {
  const root = mkdtempSync(join(tmpdir(), 'action-run-'))
  runDirs.push(root)
  const folders = prepareRunnerFolders(root)
  setup?.(folders.workspace)
  const toolkit = new FakeToolkit(inputs, {
    RUNNER_TEMP: folders.runnerTemp,
    GITHUB_WORKSPACE: folders.workspace,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY,
    GITHUB_RUN_ID: '4242',
    ...env
  })
  await run(toolkit, clock)
  return {
    exitCode: toolkit.exitCode,
    stdout: toolkit.stdout,
    outputs: toolkit.outputs,
    summary: toolkit.summary,
    runnerTemp: folders.runnerTemp,
    workspace: folders.workspace,
    tempFiles: readdirSync(folders.runnerTemp),
    sleeps: clock.sleeps
  }
}
