// The step's ending, from the cohorts' outcomes: outputs, the final lines, the job summary, and the failure.
import type { MonthSpend } from '../cohort/budget.js'
import type { CohortOutcome } from '../cohort/outcome.js'
import { spendParagraph } from '../cohort/request-budget.js'
import type { Toolkit } from '../runtime/toolkit.js'
import { failedCohorts, logOutcome, setCohortOutputs, setResults } from './outputs.js'
import { spentRequests, summaryMarkdown } from './summary.js'

export interface StepEnd {
  /** Whether the step's `cohort-id` listed several cohorts. */
  several: boolean
  /** Whether the cohort IDs were valid: only then do `results` and `failedCohorts` name them. */
  validated: boolean
  startedAt: number
  now: number
  /** The month's cohort requests; undefined when they are not counted (not `previous-run`, or invalid inputs). */
  spend?: { month: MonthSpend; budget?: number }
}

/** Sets the outputs, logs the last lines, writes the job summary and fails the step when a cohort failed. */
export async function reportOutcomes(
  toolkit: Toolkit,
  outcomes: CohortOutcome[],
  end: StepEnd
): Promise<void> {
  if (!end.several) {
    const [outcome] = outcomes
    if (outcome.error !== undefined) toolkit.setFailed(outcome.error)
    else {
      setCohortOutputs(toolkit, outcome)
      logOutcome(toolkit, outcome)
    }
  }
  if (end.validated) setResults(toolkit, outcomes)
  const failed = failedCohorts(outcomes)
  if (end.several) {
    toolkit.info(
      `Exported ${outcomes.length - failed.length} of ${outcomes.length} cohorts in ` +
        `${Math.round((end.now - end.startedAt) / 1000)}s (cohort requests spent: ${spentRequests(outcomes)})`
    )
  }
  // The month's count, or why it is not counted, once a cohort got as far as an export.
  const exported = outcomes.some(outcome => outcome.error === undefined)
  await toolkit
    .appendSummary(
      summaryMarkdown(outcomes, end.several, end.now) +
        (end.spend || exported
          ? spendParagraph(end.spend?.month, end.spend?.budget, message => toolkit.notice(message))
          : '')
    )
    .catch(error => toolkit.warning(`Could not write the job summary: ${(error as Error).message}`))
  if (end.several && failed.length > 0) {
    const errors = new Map(outcomes.map(o => [o.cohortId, o.error]))
    toolkit.setFailed(
      `${failed.length} of ${outcomes.length} cohorts failed:\n` +
        failed.map(id => `- ${id}: ${errors.get(id)}`).join('\n')
    )
  }
}
