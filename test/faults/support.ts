// Shared by the fault-injection suite: runs the action against the simulator with RUNNER_DEBUG=1, measures what a
// run cost (requests per route, seen by the simulator), checks secret hygiene on every run, and records one row per
// run for docs/reliability.md when RELIABILITY_REPORT names a file (`RELIABILITY_REPORT=.tmp/reliability.jsonl`).
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdirSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { AmplitudeSimulator } from '../sim/amplitude-simulator.mjs'
import {
  errorLines,
  leaks,
  secretForms,
  splitResumeHint,
  validInputs,
  withoutMaskCommands
} from '../support/action.mjs'
import { type ActionRun, removeRunDirs, runAction } from '../support/run-action.js'
import { TestClock } from '../support/test-clock.js'

export type Route = 'cohorts' | 'request' | 'status' | 'file' | 'storage' | 'unknown'
export type Counts = Record<Route, number>

export interface FaultRun {
  result: ActionRun
  /** Requests the simulator saw during the run, by route. */
  requests: Counts
  /** The requests themselves, in order. */
  seen: AmplitudeSimulator['requests']
  ms: number
  /** The `::error::` lines, joined ('' on success), without the resume hint. */
  error: string
  /** The resume hint that ends the error after step 1 ('' when there is none). */
  resume: string
}

type CohortSpec = Parameters<AmplitudeSimulator['addCohort']>[1]

/**
 * The lifecycle every fault suite shares: a simulator with random credentials (random hex never meets a word of a log
 * line by chance, so any 10-character piece of a credential found in the output is a real leak) started before the
 * suite, its faults cleared after each test, everything closed and the runs' folders removed after the suite; and
 * `cohort()`, which adds a cohort with a unique ID and this suite's defaults (override per test).
 */
export function faultSuite(defaults: CohortSpec) {
  const sim = new AmplitudeSimulator({
    apiKey: randomBytes(16).toString('hex'),
    secretKey: randomBytes(16).toString('hex')
  })
  beforeAll(() => sim.start())
  afterEach(() => sim.faults.clear())
  afterAll(async () => {
    await sim.close()
    removeRunDirs()
  })
  async function cohort(prefix: string, spec: CohortSpec = {}) {
    const id = cohortName(prefix)
    const expected = await sim.addCohort(id, { ...defaults, ...spec })
    return { id, expected }
  }
  return { sim, cohort }
}

export function countRoutes(seen: { route: string }[]): Counts {
  const counts: Counts = { cohorts: 0, request: 0, status: 0, file: 0, storage: 0, unknown: 0 }
  for (const r of seen) counts[r.route as Route]++
  return counts
}

/**
 * What an export costs whose job completed on the first poll and whose file took `attempts` downloads (each through
 * the storage host too when Amplitude redirects), as nonZero() gives it.
 */
export function downloadCost(attempts: number, redirected: boolean): Partial<Counts> {
  return { request: 1, status: 1, file: attempts, ...(redirected ? { storage: attempts } : {}) }
}

/** `{request: 1, status: 2, file: 1, storage: 0}` without the zero routes, for assertions. */
export function nonZero(counts: Partial<Counts>): Partial<Counts> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0))
}

/** Everything a run makes visible: logs (without the `::add-mask::` commands), outputs and the job summary. */
export function visibleText(result: ActionRun): string {
  return [withoutMaskCommands(result.stdout), ...Object.values(result.outputs), result.summary].join('\n')
}

/**
 * Runs the action with `inputs` (valid inputs for the simulator by default, without upload) and RUNNER_DEBUG=1, asserts that no
 * secret form is visible, and returns what the run cost.
 */
export async function runExport(
  sim: AmplitudeSimulator,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  clock?: TestClock
): Promise<FaultRun> {
  const before = sim.requests.length
  const started = Date.now()
  const { 'cohort-id': cohortId = '', ...others } = inputs
  const result = await runAction(
    validInputs(sim, cohortId, { 'upload-artifact': 'false', ...others }),
    { RUNNER_DEBUG: '1', ...env },
    clock
  )
  const ms = Date.now() - started
  const seen = sim.requests.slice(before)
  expect(result.stdout).toContain('::debug::')
  // The pre-signed storage links' signatures are credentials too (for a minute): never shown either.
  expect(
    leaks(visibleText(result), [...secretForms(sim.apiKey, sim.secretKey), ...sim.links.keys()])
  ).toEqual([])
  const [error, resume] = splitResumeHint(errorLines(result.stdout).join('\n'))
  return { result, requests: countRoutes(seen), seen, ms, error, resume }
}

/** Appends a row for docs/reliability.md: the test, what was injected, the outcome and what it cost. */
export function record(
  fault: string,
  run: { requests: Partial<Counts>; ms: number; error: string; result?: ActionRun },
  note?: string
): void {
  const file = process.env.RELIABILITY_REPORT
  if (!file) return
  const state = expect.getState()
  mkdirSync(dirname(file), { recursive: true })
  const row = {
    file: `test/faults/${basename(state.testPath ?? '')}`,
    test: state.currentTestName ?? '',
    fault,
    outcome: run.error ? `error: ${run.error.split('\n')[0]}` : 'success',
    requests: nonZero(run.requests),
    ms: run.ms,
    ...(note ? { note } : {}),
    warnings: (run.result?.stdout ?? '').split('\n').filter(l => l.startsWith('::warning::'))
  }
  appendFileSync(file, `${JSON.stringify(row)}\n`)
}

let next = 0
/** A fresh cohort ID per test, so faults and jobs never meet another test's. */
function cohortName(prefix: string): string {
  return `${prefix}-${process.pid}-${++next}`
}

/** The time the action waited on its clock (poll waits, backoff, Retry-After), in virtual ms: not the test's time. */
export function waitedMs(run: FaultRun): number {
  return run.result.sleeps.reduce((total, ms) => total + ms, 0)
}
