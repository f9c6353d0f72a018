import { describeFailure } from './advice.js'
import { cancelOnSignals } from './cancel.js'
import { type Clock, systemClock } from './clock.js'
import { Inputs } from './constants.js'
import { Delivery } from './deliver.js'
import { prepareDestination } from './destination.js'
import { exportCohort } from './export.js'
import { readInputs } from './inputs.js'
import { Report } from './report.js'
import { Redactor, withRedaction } from './secrets.js'
import { actionsToolkit, type Toolkit } from './toolkit.js'

/** Exports one Amplitude cohort: read the inputs → export (request, wait, download) → deliver → report. */
export async function run(toolkit: Toolkit = actionsToolkit, clock: Clock = systemClock): Promise<void> {
  const redactor = new Redactor()
  const actions = withRedaction(toolkit, redactor)
  const report = new Report(actions, actions.getInput(Inputs.CohortId), clock.now(), () => clock.now())
  const cancel = cancelOnSignals()
  try {
    const inputs = readInputs(actions, redactor)
    const delivery = new Delivery(inputs, actions)
    await prepareDestination(inputs.path)
    await delivery.preflight()
    const redact = (text: string): string => redactor.redact(text)
    const membership = await exportCohort(inputs, {
      toolkit: actions,
      clock,
      signal: cancel.signal,
      redact,
      report
    })
    report.setArtifact(inputs.artifactName, await delivery.deliver(membership.path))
    report.succeed()
  } catch (error) {
    report.fail(describeFailure(cancel.signal.aborted ? cancel.signal.reason : error))
  } finally {
    cancel.dispose()
    await report.writeSummary()
  }
}
