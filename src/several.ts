import { failureMessage } from './advice.js'
import { cohortInputs } from './cohorts.js'
import { Outputs } from './constants.js'
import { formatBytes, formatCount } from './format.js'
import { escapeHtml, htmlTable } from './html.js'
import type { ActionInputs } from './inputs.js'
import { exportOne } from './pipeline.js'
import { PhaseLog } from './phase-log.js'
import { type CohortResult, Report } from './report.js'
import { RequestBudget, spendParagraph } from './request-budget.js'
import { AMPLITUDE_LIMITS, Scheduler } from './scheduler.js'
import type { RunContext, Toolkit } from './toolkit.js'
import { trendMarkdown, trendSentence } from './trend.js'

/**
 * Several cohorts in one step, within Amplitude's limits: every cohort's export runs at once through one scheduler
 * (at most 4 step-1 requests in any minute, 5 Amplitude requests in flight, 2 downloads; a Retry-After pauses every
 * cohort's requests to that endpoint). A cohort that fails does not stop the others; the step fails at the end,
 * listing each failed cohort with its error. Outputs: `results` (JSON by cohort ID) and `failedCohorts`, which one
 * cohort sets too (main.ts).
 */
export async function exportSeveral(inputs: ActionInputs, context: RunContext): Promise<void> {
  const { toolkit, clock, signal } = context
  const started = clock.now()
  const scheduler = new Scheduler(AMPLITUDE_LIMITS, clock)
  const budget = new RequestBudget(inputs.monthlyRequestBudget, inputs.cohorts.length, () => clock.now())
  const log = new PhaseLog(toolkit, inputs.cohorts)
  const reports = await Promise.all(
    inputs.cohorts.map(async cohortId => {
      const cohort = log.forCohort(cohortId)
      const report = new Report(cohort, cohortId, clock.now(), () => clock.now())
      try {
        await exportOne(cohortInputs(inputs, cohortId), {
          ...context,
          toolkit: cohort,
          report,
          scheduler,
          budget
        })
        log.end(cohortId)
        report.succeed()
      } catch (error) {
        log.end(cohortId)
        report.fail(failureMessage(error, signal, report.resumable, cohortId))
        cohort.warning(`failed: ${report.result().error?.split('\n')[0]}`)
      }
      return [cohortId, report] as const
    })
  )
  log.flush(true)
  const { results, failed } = setResults(toolkit, reports)
  const spent = reports.reduce((sum, [, report]) => sum + report.requests.request, 0)
  toolkit.info(
    `Exported ${reports.length - failed.length} of ${reports.length} cohorts in ` +
      `${Math.round((clock.now() - started) / 1000)}s (cohort requests spent: ${spent})`
  )
  await toolkit
    .appendSummary(
      summary(results, reports, spent) + spendParagraph(budget, message => toolkit.notice(message))
    )
    .catch(error => toolkit.warning(`Could not write the job summary: ${(error as Error).message}`))
  if (failed.length > 0) {
    toolkit.setFailed(
      `${failed.length} of ${reports.length} cohorts failed:\n` +
        failed.map(id => `- ${id}: ${results[id].error}`).join('\n')
    )
  }
}

/**
 * Sets `results` (JSON by cohort ID: each cohort's single-cohort outputs, and `error` when it failed) and
 * `failedCohorts`, for one cohort as for several, so that a downstream job needs no change when a cohort is added.
 */
export function setResults(
  toolkit: Pick<Toolkit, 'setOutput'>,
  reports: (readonly [string, Report])[]
): { results: Record<string, CohortResult>; failed: string[] } {
  const results = Object.fromEntries(reports.map(([id, report]) => [id, report.result()]))
  const failed = reports.filter(([, report]) => report.failed).map(([id]) => id)
  toolkit.setOutput(Outputs.Results, JSON.stringify(results))
  toolkit.setOutput(Outputs.FailedCohorts, failed.join(','))
  return { results, failed }
}

/** One row per cohort, the members chart with a line per cohort, and the cohort requests spent. */
function summary(
  results: Record<string, CohortResult>,
  reports: (readonly [string, Report])[],
  spent: number
): string {
  const failed = reports.filter(([, r]) => r.failed).length
  const head = [
    'Cohort',
    'Request ID',
    'Status',
    'Members',
    'Size',
    'Entering',
    'Exiting',
    'Changed',
    'Artifact'
  ]
  const rows = reports.map(([id]) => {
    const r = results[id]
    const artifact = r.artifactUrl ? `<a href="${r.artifactUrl}">${r.artifactId}</a>` : '—'
    const status = r.error ? `failed: ${escapeHtml(r.error.split('\n')[0])}` : (r.finalStatus ?? '—')
    return [
      `<code>${escapeHtml(id)}</code>`,
      r.requestId ? `<code>${r.requestId}</code>` : '—',
      status,
      formatCount(r.memberCount),
      r.bytes === null ? '—' : formatBytes(r.bytes),
      formatCount(r.enteringCount),
      formatCount(r.exitingCount),
      formatCount(r.changedCount),
      artifact
    ]
  })
  const chart = trendMarkdown(reports.map(([cohortId, report]) => ({ cohortId, history: report.history })))
  // Each cohort's tonight in context, one sentence each.
  const sentences = reports
    .filter(([, report]) => report.history.length > 0)
    .map(
      ([id, report]) => `<li><code>${escapeHtml(id)}</code>: ${trendSentence(report.history).sentence}</li>`
    )
  const heading = failed
    ? `Amplitude cohort export: ${failed} of ${reports.length} failed`
    : 'Amplitude cohort export'
  return (
    `<h2>${heading}</h2>\n\n${sentences.length ? `<ul>${sentences.join('')}</ul>\n\n` : ''}` +
    `${chart ? `${chart}\n` : ''}${htmlTable(head, rows)}\n\n` +
    `Cohort requests spent: ${spent}\n`
  )
}
