import { describeFailure, resumeHint } from './advice.js'
import { cancelOnSignals } from './cancel.js'
import { Changes } from './changes.js'
import { type Clock, systemClock } from './clock.js'
import { Inputs } from './constants.js'
import { Delivery } from './deliver.js'
import { prepareDestination } from './destination.js'
import { exportCohort, type ExportContext } from './export.js'
import { type ActionInputs, readInputs } from './inputs.js'
import { Report } from './report.js'
import { reuseEarlierAttempt } from './reuse.js'
import { Redactor, withRedaction } from './secrets.js'
import { actionsToolkit, type Toolkit } from './toolkit.js'

/**
 * Exports one Amplitude cohort: read the inputs → re-use an earlier attempt's export, or find the baseline, export
 * (request, wait, download), compare and deliver → report.
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
  try {
    const inputs = readInputs(actions, redactor)
    const delivery = new Delivery(inputs, actions)
    await prepareDestination(inputs.path)
    delivery.requireRuntime()
    const reused = await reuseEarlierAttempt(inputs, actions)
    if (reused) report.setReused(reused)
    else await exportAndDeliver(inputs, delivery, { ...context, report })
    report.succeed()
  } catch (error) {
    const failure = cancel.signal.aborted ? cancel.signal.reason : error
    report.fail(describeFailure(failure) + resumeHint(failure, report.resumable))
  } finally {
    cancel.dispose()
    await report.writeSummary()
  }
}

/** Find the baseline, export (request, wait, download), compare, deliver: each step into `context.report`. */
async function exportAndDeliver(
  inputs: ActionInputs,
  delivery: Delivery,
  context: ExportContext
): Promise<void> {
  await delivery.checkName()
  const changes = await Changes.prepare(inputs, context)
  try {
    const membership = await exportCohort(inputs, context)
    const computed = await changes.compute(membership, context.report.facts(context.clock.now()))
    context.report.setChanges(computed.report)
    context.report.setArtifact(inputs.artifactName, await delivery.deliver(computed.files))
  } finally {
    await changes.dispose()
  }
}
