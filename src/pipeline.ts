import { Changes } from './changes.js'
import { Delivery } from './deliver.js'
import { prepareDestination } from './destination.js'
import { exportCohort, type ExportContext } from './export.js'
import type { ActionInputs } from './inputs.js'
import type { RequestBudget } from './request-budget.js'
import { reuseEarlierAttempt } from './reuse.js'

/**
 * One cohort's export, start to end, into `context.report`: re-use what an earlier attempt of this run uploaded, or
 * find the baseline, export (request, wait, download), compare and deliver. Throws what ends it.
 */
export async function exportOne(inputs: ActionInputs, context: ExportContext): Promise<void> {
  // The month's count waits for every cohort's baseline history: say it, whatever ends this cohort.
  const spend = context.budget?.forCohort()
  try {
    await exportAfterChecks(inputs, context, spend)
  } finally {
    spend?.done()
  }
}

async function exportAfterChecks(
  inputs: ActionInputs,
  context: ExportContext,
  spend: ReturnType<RequestBudget['forCohort']> | undefined
): Promise<void> {
  const delivery = new Delivery(inputs, context.toolkit)
  await prepareDestination(inputs.path)
  const reused = await reuseEarlierAttempt(inputs, context.toolkit)
  if (reused) {
    spend?.known(reused.manifest.history)
    context.report.setReused(reused)
    return
  }
  await delivery.checkName()
  const changes = await Changes.prepare(inputs, context)
  spend?.known(changes.baselineHistory)
  try {
    const membership = await exportCohort(inputs, context)
    const computed = await changes.compute(membership, context.report.facts(context.clock.now()))
    context.report.setChanges(computed.report)
    context.report.setArtifact(inputs.artifactName, await delivery.deliver(computed.files))
  } finally {
    await changes.dispose()
  }
}
