// Every cohort of the step. One cohort logs into the step's groups and sets the request ID and status outputs as
// soon as they are known. Several run at once within Amplitude's limits, through one scheduler (at most 4 step-1
// requests in any minute, 5 Amplitude requests in flight, 2 downloads; a Retry-After pauses every cohort's requests
// to that endpoint), and log through one phase log; a cohort that fails does not stop the others.
import type { CohortJob } from '../config/inputs.js'
import { AMPLITUDE_LIMITS, Scheduler } from '../net/scheduler.js'
import { progressOutputs, logOutcome } from '../report/outputs.js'
import { PhaseLog } from '../report/phase-log.js'
import type { Clock } from '../runtime/clock.js'
import type { Toolkit } from '../runtime/toolkit.js'
import { exportCohort } from './export-cohort.js'
import type { MonthSpend } from './budget.js'
import type { CohortOutcome } from './outcome.js'
import { RequestBudget } from './request-budget.js'
import { stepLog } from './phases.js'

export interface StepContext {
  toolkit: Toolkit
  clock: Clock
  signal: AbortSignal
  redact: (text: string) => string
}

/** What the step's cohorts got to: their outcomes in the order given (failed or not), and the month's requests. */
export interface StepResult {
  outcomes: CohortOutcome[]
  /** The month's cohort requests; undefined when nothing earlier is looked through (not `previous-run`). */
  spend?: { month: MonthSpend; budget?: number }
}

/** Exports each cohort of the step, within the month's budget of cohort requests. */
export async function exportCohorts(jobs: CohortJob[], context: StepContext): Promise<StepResult> {
  const { clock } = context
  const budget = new RequestBudget(jobs[0].monthlyRequestBudget, jobs.length, () => clock.now())
  const outcomes = await exportEach(jobs, context, budget)
  const counted = jobs[0].compareWith.kind === 'previous-run'
  return { outcomes, spend: counted ? { month: budget.month(), budget: budget.budget } : undefined }
}

async function exportEach(
  jobs: CohortJob[],
  context: StepContext,
  budget: RequestBudget
): Promise<CohortOutcome[]> {
  const { toolkit, clock, signal, redact } = context
  const base = { env: toolkit.env, clock, signal, redact, budget }
  if (jobs.length === 1) {
    const log = stepLog(toolkit)
    return [await exportCohort(jobs[0], { ...base, log, onProgress: progressOutputs(toolkit) })]
  }
  const scheduler = new Scheduler(AMPLITUDE_LIMITS, clock)
  const phases = new PhaseLog(
    toolkit,
    jobs.map(job => job.cohortId)
  )
  const outcomes = await Promise.all(
    jobs.map(async job => {
      const log = phases.forCohort(job.cohortId)
      const outcome = await exportCohort(job, { ...base, log, scheduler }, true)
      phases.end(job.cohortId)
      if (outcome.error !== undefined) log.warning(`failed: ${outcome.error.split('\n')[0]}`)
      else logOutcome(log, outcome)
      return outcome
    })
  )
  phases.flush(true)
  return outcomes
}
