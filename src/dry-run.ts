import { failureMessage } from './advice.js'
import { AmplitudeClient } from './amplitude.js'
import { type Baseline, findBaseline } from './baseline.js'
import { checkBudget, forecastNotice, monthSpend, type SpendEntry } from './budget.js'
import type { CohortInfo } from './cohort-list.js'
import { cohortInputs } from './cohorts.js'
import { Outputs } from './constants.js'
import { Delivery } from './deliver.js'
import { prepareDestination } from './destination.js'
import { type PlannedCohort, dryRunSummary } from './dry-run-plan.js'
import { CohortArchivedError, CohortNotFoundError, CohortTooSmallError } from './errors.js'
import type { ActionInputs } from './inputs.js'
import type { RunContext } from './toolkit.js'

/**
 * `dry-run: true`: checks everything a real night needs and says in the summary what it would do, spending no cohort
 * request and uploading nothing. The keys, the region and each cohort are checked through the list of cohorts
 * (`GET /api/3/cohorts`, which costs no cohort request); `min-members` against the cohort's last computed size; the
 * baseline as a real run finds it (so `actions: read` is proven, and its file is checked against its manifest); the
 * artifact runtime and name; and the month's budget with tonight's requests. The first problem fails the run with the
 * error a real run would give.
 */
export async function dryRun(inputs: ActionInputs, context: RunContext): Promise<void> {
  const { toolkit, clock, signal } = context
  toolkit.setOutput(Outputs.FinalStatus, 'dry-run')
  const several = inputs.cohorts.length > 1
  let current: string | undefined
  try {
    const cohorts = await listCohorts(inputs, context)
    const planned: PlannedCohort[] = []
    const histories: SpendEntry[][] = []
    for (const id of inputs.cohorts) {
      current = id
      const cohort = several ? cohortInputs(inputs, id) : inputs
      const info = checkCohort(cohorts.get(id), id, inputs.minMembers)
      const baseline = await checkDelivery(cohort, context)
      if (baseline?.manifest) histories.push(baseline.manifest.history)
      planned.push({
        id,
        name: info.name,
        size: info.size,
        lastComputed: info.lastComputed,
        baseline: describeBaseline(baseline, inputs),
        baselineUrl: baseline?.runUrl,
        requests: inputs.requestId ? 0 : 1
      })
    }
    current = undefined
    const requests = planned.reduce((sum, c) => sum + c.requests, 0)
    const month = monthSpend(histories, { now: clock.now(), planned: requests })
    for (let made = 0; made < requests; made++) {
      checkBudget({ budget: inputs.monthlyRequestBudget, spent: month.spent, made, now: clock.now() })
    }
    const notice = forecastNotice(month, inputs.monthlyRequestBudget)
    if (notice) toolkit.notice(notice)
    toolkit.info(
      `Dry run: every check passed. Tonight's run would spend ${requests} cohort request${requests === 1 ? '' : 's'}`
    )
    await toolkit.appendSummary(dryRunSummary(planned, month, inputs.monthlyRequestBudget))
  } catch (error) {
    const message = failureMessage(error, signal, undefined)
    toolkit.setFailed(several && current !== undefined ? `cohort '${current}': ${message}` : message)
  }
}

/** The project's cohorts by ID: the keys and the region are right when Amplitude answers this. */
async function listCohorts(inputs: ActionInputs, context: RunContext): Promise<Map<string, CohortInfo>> {
  const client = new AmplitudeClient({
    baseUrl: inputs.baseUrl,
    authorization: inputs.authorization,
    requestTimeoutMs: inputs.requestTimeoutMs,
    signal: context.signal,
    log: context.toolkit,
    clock: context.clock,
    redact: context.redact
  })
  try {
    return new Map((await client.listCohorts()).map(cohort => [cohort.id, cohort]))
  } finally {
    client.dispose()
  }
}

function checkCohort(info: CohortInfo | undefined, id: string, minMembers: number): CohortInfo {
  if (!info) throw new CohortNotFoundError(id)
  if (info.archived) throw new CohortArchivedError(id, info.name)
  if (info.size !== null && info.size < minMembers) throw new CohortTooSmallError(id, info.size, minMembers)
  return info
}

/** Where the file would go, the baseline it would be compared with, and the artifact name: as a real run checks them. */
async function checkDelivery(inputs: ActionInputs, context: RunContext): Promise<Baseline | undefined> {
  await prepareDestination(inputs.path)
  await new Delivery(inputs, context.toolkit).checkName()
  const baseline = await findBaseline(inputs, context)
  await baseline?.dispose()
  return baseline
}

function describeBaseline(baseline: Baseline | undefined, inputs: ActionInputs): string {
  if (inputs.compareWith.kind === 'none') return 'none (compare-with: none)'
  if (!baseline) return 'none: a full sync'
  if (baseline.source === 'file') return "the file given as 'compare-with'"
  const exported = baseline.manifest?.exportedAt
  return `run ${baseline.source}${exported ? ` (exported ${exported.slice(0, 16).replace('T', ' ')} UTC)` : ''}`
}
