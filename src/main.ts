import { describeFailure, resumeHint } from './advice.js'
import { cancelOnSignals } from './cancel.js'
import { Changes } from './changes.js'
import { type Clock, systemClock } from './clock.js'
import { Inputs } from './constants.js'
import { Delivery } from './deliver.js'
import { prepareDestination } from './destination.js'
import { exportCohort } from './export.js'
import { readInputs } from './inputs.js'
import { Report } from './report.js'
import { Redactor, withRedaction } from './secrets.js'
import { actionsToolkit, type Toolkit } from './toolkit.js'

/**
 * Exports one Amplitude cohort: read the inputs → find the baseline → export (request, wait, download) → compare →
 * deliver → report.
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
  let changes: Changes | undefined
  try {
    const inputs = readInputs(actions, redactor)
    const delivery = new Delivery(inputs, actions)
    await prepareDestination(inputs.path)
    await delivery.preflight()
    changes = await Changes.prepare(inputs, context)
    const membership = await exportCohort(inputs, { ...context, report })
    const computed = await changes.compute(membership, report.facts(clock.now()))
    report.setChanges(computed.report)
    report.setArtifact(inputs.artifactName, await delivery.deliver(computed.files))
    report.succeed()
  } catch (error) {
    const failure = cancel.signal.aborted ? cancel.signal.reason : error
    report.fail(describeFailure(failure) + resumeHint(failure, report.resumable))
  } finally {
    cancel.dispose()
    await changes?.dispose()
    await report.writeSummary()
  }
}
