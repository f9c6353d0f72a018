import { failureMessage } from './report/advice.js'
import { cancelOnSignals } from './runtime/cancel.js'
import { type Clock, systemClock } from './runtime/clock.js'
import { Inputs } from './config/constants.js'
import { Delivery } from './cohort/deliver.js'
import { readInputs } from './config/inputs.js'
import { exportOne } from './cohort/pipeline.js'
import { Report } from './report/report.js'
import { Redactor, withRedaction } from './runtime/secrets.js'
import { exportSeveral, setResults } from './cohort/several.js'
import { actionsToolkit, type Toolkit } from './runtime/toolkit.js'

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
  try {
    const inputs = readInputs(actions, redactor)
    cohortId = inputs.cohortId
    new Delivery(inputs, actions).requireRuntime()
    several = inputs.cohorts.length > 1
    if (several) return await exportSeveral(inputs, context)
    await exportOne(inputs, { ...context, report })
    report.succeed()
  } catch (error) {
    report.fail(failureMessage(error, cancel.signal, report.resumable))
  } finally {
    cancel.dispose()
    // With several cohorts, exportSeveral() reports (outputs, summary, failure) for all of them. One cohort sets
    // `results` and `failedCohorts` too, in the same shape, once its ID is known to be valid.
    if (!several) {
      if (cohortId !== undefined) setResults(actions, [[cohortId, report]])
      await report.writeSummary()
    }
  }
}
