import { dryRun } from './cohort/dry-run.js'
import { exportCohorts, type StepResult } from './cohort/export-cohorts.js'
import { Delivery } from './cohort/deliver.js'
import { Inputs } from './config/constants.js'
import { type CohortJob, readInputs } from './config/inputs.js'
import { failureMessage } from './report/advice.js'
import { reportOutcomes } from './report/report.js'
import { cancelOnSignals } from './runtime/cancel.js'
import { type Clock, systemClock } from './runtime/clock.js'
import { Redactor, withRedaction } from './runtime/secrets.js'
import { actionsToolkit, type Toolkit } from './runtime/toolkit.js'
import type { CohortOutcome } from './cohort/outcome.js'

/**
 * Exports the Amplitude cohorts the inputs name: read and plan the inputs → export each cohort (re-use an earlier
 * attempt's export, or find the baseline, export, compare and deliver) → outputs and the job summary. A dry run
 * checks instead, and reports itself.
 */
export async function run(toolkit: Toolkit = actionsToolkit, clock: Clock = systemClock): Promise<void> {
  const redactor = new Redactor()
  const actions = withRedaction(toolkit, redactor)
  const cancel = cancelOnSignals()
  const startedAt = clock.now()
  let jobs: CohortJob[] | undefined
  let outcomes: CohortOutcome[]
  let spend: StepResult['spend'] | undefined
  try {
    jobs = readInputs(actions, redactor)
    new Delivery(jobs[0], actions).requireRuntime()
    const context = {
      toolkit: actions,
      clock,
      signal: cancel.signal,
      redact: (t: string) => redactor.redact(t)
    }
    if (jobs[0].dryRun) return await dryRun(jobs, context)
    ;({ outcomes, spend } = await exportCohorts(jobs, context))
  } catch (error) {
    // Before any cohort started (bad inputs, no artifact runtime): every cohort of the step fails with it.
    const message = failureMessage(error, cancel.signal, undefined)
    const ids = jobs?.map(job => job.cohortId) ?? [actions.getInput(Inputs.CohortId)]
    const requests = { request: 0, status: 0, file: 0, storage: 0 }
    outcomes = ids.map(cohortId => ({ cohortId, startedAt, endedAt: clock.now(), requests, error: message }))
  } finally {
    cancel.dispose()
  }
  const several = outcomes.length > 1
  await reportOutcomes(actions, outcomes, {
    several,
    validated: jobs !== undefined,
    startedAt,
    now: clock.now(),
    spend
  })
}
