// Runs the action's `run()` in this process the way the runner would start it: inputs as INPUT_* variables, a fresh
// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, RUNNER_TEMP and GITHUB_WORKSPACE in a temp folder; captures everything the
// action writes to stdout (where @actions/core writes logs and workflow commands).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as core from '@actions/core'
import { run } from '../../src/main.js'
import { GITHUB_REPOSITORY, inputEnv, prepareRunnerFolders } from './action.mjs'

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
  const folders = prepareRunnerFolders(root)
  const saved = { ...process.env }
  for (const key of Object.keys(process.env)) if (!KEEP.has(key)) delete process.env[key]
  Object.assign(process.env, {
    ...folders.env,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY,
    GITHUB_RUN_ID: '4242',
    ...env,
    ...inputEnv(inputs)
  })
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
    outputs: folders.outputs(),
    summary: folders.summary(),
    runnerTemp: folders.runnerTemp,
    workspace: folders.workspace,
    tempFiles: readdirSync(folders.runnerTemp)
  }
}
