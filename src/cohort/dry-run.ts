// `dry-run: true`: checks everything a real night needs and says in the summary what it would do, spending no cohort
// request and uploading nothing. The keys, the region and each cohort are checked through the list of cohorts
// (`GET /api/3/cohorts`, which costs no cohort request); `min-members` against the cohort's last computed size; the
// baseline as a real run finds it (so `actions: read` is proven, and its file is checked against its manifest); the
// path, the artifact runtime and name; and the month's budget with tonight's requests. The first problem fails the
// run with the error a real run would give.
import { AmplitudeClient } from '../amplitude/client.js'
import type { CohortInfo } from '../config/cohort-list.js'
import { Outputs } from '../config/constants.js'
import { prepareDestination } from '../config/destination.js'
import type { CohortJob } from '../config/inputs.js'
import { CohortArchivedError, CohortNotFoundError, CohortTooSmallError } from '../errors.js'
import { type Baseline, type BaselineLookup, findBaseline } from '../github/baseline.js'
import { failureMessage } from '../report/advice.js'
import { dryRunSummary, type PlannedCohort } from '../report/dry-run-plan.js'
import { checkBudget, forecastNotice, monthSpend, type SpendEntry } from './budget.js'
import { Delivery } from './deliver.js'
import { earlierExports } from './request-budget.js'
import type { StepContext } from './export-cohorts.js'
import { stepLog } from './phases.js'

export async function dryRun(jobs: CohortJob[], context: StepContext): Promise<void> {
  const { toolkit, clock, signal } = context
  toolkit.setOutput(Outputs.FinalStatus, 'dry-run')
  const several = jobs.length > 1
  let current: string | undefined
  try {
    const cohorts = await listCohorts(jobs[0], context)
    const planned: PlannedCohort[] = []
    const histories: (readonly SpendEntry[])[] = []
    for (const job of jobs) {
      current = job.cohortId
      const info = checkCohort(cohorts.get(job.cohortId), job)
      const { baseline, monthExports } = await checkDelivery(job, context)
      histories.push(earlierExports(baseline?.manifest?.history, monthExports))
      planned.push({
        id: job.cohortId,
        name: info.name,
        size: info.size,
        lastComputed: info.lastComputed,
        baseline: describeBaseline(baseline, job),
        baselineUrl: baseline?.runUrl,
        requests: job.requestId ? 0 : 1
      })
    }
    current = undefined
    const budget = jobs[0].monthlyRequestBudget
    const requests = planned.reduce((sum, c) => sum + c.requests, 0)
    const month = monthSpend(histories, { now: clock.now(), planned: requests })
    // Earlier exports are only seen through `previous-run` (the budget requires it).
    const counted = jobs[0].compareWith.kind === 'previous-run'
    for (let made = 0; made < requests; made++) {
      checkBudget({ budget, spent: month.spent, made, now: clock.now() })
    }
    const notice = counted ? forecastNotice(month, budget) : undefined
    if (notice) toolkit.notice(notice)
    toolkit.info(
      `Dry run: every check passed. Tonight's run would spend ${requests} cohort request${requests === 1 ? '' : 's'}`
    )
    await toolkit.appendSummary(dryRunSummary(planned, counted ? month : undefined, budget))
  } catch (error) {
    const message = failureMessage(error, signal, undefined)
    toolkit.setFailed(several && current !== undefined ? `cohort '${current}': ${message}` : message)
  }
}

/** The project's cohorts by ID: the keys and the region are right when Amplitude answers this. */
async function listCohorts(job: CohortJob, context: StepContext): Promise<Map<string, CohortInfo>> {
  const client = new AmplitudeClient({
    baseUrl: job.baseUrl,
    authorization: job.authorization,
    requestTimeoutMs: job.requestTimeoutMs,
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

function checkCohort(info: CohortInfo | undefined, job: CohortJob): CohortInfo {
  if (!info) throw new CohortNotFoundError(job.cohortId)
  if (info.archived) throw new CohortArchivedError(job.cohortId, info.name)
  if (info.size !== null && info.size < job.minMembers) {
    throw new CohortTooSmallError(job.cohortId, info.size, job.minMembers)
  }
  return info
}

/** Where the file would go, the artifact name and the baseline it would be compared with: as a real run checks them. */
async function checkDelivery(job: CohortJob, context: StepContext): Promise<BaselineLookup> {
  const { toolkit } = context
  await prepareDestination(job.path)
  await new Delivery(job, toolkit).checkName()
  const log = stepLog(toolkit)
  const lookup = await findBaseline(job, { ...context, log, env: toolkit.env })
  await lookup.baseline?.dispose()
  return lookup
}

function describeBaseline(baseline: Baseline | undefined, job: CohortJob): string {
  if (job.compareWith.kind === 'none') return 'none (compare-with: none)'
  if (!baseline) return 'none: a full sync'
  if (baseline.source === 'file') return "the file given as 'compare-with'"
  const exported = baseline.manifest?.exportedAt
  return `run ${baseline.source}${exported ? ` (exported ${exported.slice(0, 16).replace('T', ' ')} UTC)` : ''}`
}
