import { failureMessage } from './advice.js'
import { cancelOnSignals } from './cancel.js'
import { type Clock, systemClock } from './clock.js'
import { Inputs } from './constants.js'
import { Delivery } from './deliver.js'
import { readInputs } from './inputs.js'
import { exportOne } from './pipeline.js'
import { Report } from './report.js'
import { RequestBudget, spendParagraph } from './request-budget.js'
import { dryRun } from './dry-run.js'
import { Redactor, withRedaction } from './secrets.js'
import { exportSeveral, setResults } from './several.js'
import { actionsToolkit, type Toolkit } from './toolkit.js'

/**
 * Exports one Amplitude cohort (or several: see several.ts): read the inputs → re-use an earlier attempt's export, or
 * find the baseline, export (request, wait, download), compare and deliver → report.
 */
export async function run(toolkit: Toolkit = actionsToolkit, clock: Clock = systemClock): Promise<void> {
  const redactor = new Redactor()
  const actions = withRedaction(toolkit, redactor)
  const report = new Report(actions, actions.getInput(Inputs.CohortId), clock.now(), () => clock.now())
  const cancel = cancelOnSignals()
  const context = {
    toolkit: actions,
    clock,
    signal: cancel.signal,
    redact: (text: string) => redactor.redact(text)
  }
  let several = false
  let cohortId: string | undefined
  let budget: RequestBudget | undefined
  try {
    const inputs = readInputs(actions, redactor)
    cohortId = inputs.cohortId
    new Delivery(inputs, actions).requireRuntime()
    several = inputs.cohorts.length > 1 || inputs.dryRun
    if (inputs.dryRun) return await dryRun(inputs, context)
    if (several) return await exportSeveral(inputs, context)
    budget = new RequestBudget(inputs.monthlyRequestBudget, 1, () => clock.now())
    await exportOne(inputs, { ...context, report, budget })
    report.succeed()
  } catch (error) {
    report.fail(failureMessage(error, cancel.signal, report.resumable))
  } finally {
    cancel.dispose()
    // With several cohorts, exportSeveral() reports (outputs, summary, failure) for all of them, and a dry run
    // reports itself. One cohort sets
    // `results` and `failedCohorts` too, in the same shape, once its ID is known to be valid.
    if (!several) {
      if (cohortId !== undefined) setResults(actions, [[cohortId, report]])
      await report.writeSummary(budget ? spendParagraph(budget, message => actions.notice(message)) : '')
    }
  }
}
