// Runs the bundled action (dist/index.js) the way the runner does, for the sections that need their own spawn: the
// exact spawn instant (start-up) or an alternative bundle (BENCH_DIST). The artifact sections use the e2e harness.
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { inputEnv, prepareRunnerFolders } from '../../test/support/action.mjs'
import { runCommand } from './util.mjs'

/**
 * Timestamps the steps of a run from its log: @actions/core writes `::group::<name>` when a step starts and
 * `::endgroup::` when it ends, synchronously (stdout is a pipe: synchronous in Node on Linux), so the time the bench
 * reads a marker is the time the action wrote it, give or take the pipe's latency (microseconds).
 */
export class StepClock {
  constructor() {
    /** @type {Record<string, { start: number, end?: number }>} performance.now() of this process */
    this.steps = {}
    this.current = undefined
    this.partial = ''
  }

  feed(text) {
    const now = performance.now()
    const lines = (this.partial + text).split('\n')
    this.partial = lines.pop() ?? ''
    for (const line of lines) {
      if (line.startsWith('::group::')) {
        this.current = line.slice('::group::'.length).trim()
        this.steps[this.current] = { start: now }
      } else if (line.startsWith('::endgroup::') && this.current) {
        this.steps[this.current].end = now
        this.current = undefined
      }
    }
  }

  /** Milliseconds the step took, or NaN when it did not run to its end. */
  duration(name) {
    const step = this.steps[name]
    return step?.end === undefined ? NaN : step.end - step.start
  }
}

export const STEPS = {
  request: 'Request the cohort export',
  wait: 'Wait for the export job',
  download: 'Download the membership file',
  upload: 'Upload the artifact'
}

/**
 * Spawns `node <dist>` once with `inputs` in a fresh runner-like folder under `root`.
 * @param {{ dist: string, root: string, inputs: Record<string, string>, timeoutMs?: number, peakRss?: boolean,
 *   nodeArgs?: string[], env?: Record<string, string>, onStdout?: (text: string) => void }} options
 *   `peakRss` wraps the process in `/usr/bin/time -f %M` (its peak RSS in KiB); `nodeArgs` go before the script
 *   (e.g. `--cpu-prof`); `env` is added to the runner's variables (e.g. ACTIONS_RESULTS_URL).
 */
export async function spawnAction({
  dist: entry,
  root,
  inputs,
  timeoutMs = 120_000,
  peakRss = false,
  nodeArgs = [],
  env: extraEnv = {},
  onStdout
}) {
  const dist = resolve(entry)
  const folders = prepareRunnerFolders(root)
  const rssFile = join(root, 'peak-rss')
  writeFileSync(rssFile, '')
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...folders.env,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo-org/bench',
    GITHUB_RUN_ID: '1',
    ...extraEnv,
    ...inputEnv(inputs)
  }
  const [command, args] = peakRss
    ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, ...nodeArgs, dist]]
    : [process.execPath, [...nodeArgs, dist]]
  const clock = new StepClock()
  const spawnedAtWall = Date.now()
  const result = await runCommand(command, args, {
    cwd: env.GITHUB_WORKSPACE,
    env,
    timeoutMs,
    onStdout: text => {
      clock.feed(text)
      onStdout?.(text)
    },
    onExit: () => (clock.exitAt = performance.now())
  })
  const { code, timedOut, stdout, stderr, startedAt: spawnedAt } = result
  const rss = peakRss ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : NaN
  return { code, timedOut, stdout, stderr, clock, spawnedAt, spawnedAtWall, peakKiB: rss, env }
}
