// The job summary of a dry run: what tonight's run would do, cohort by cohort, and the month's cohort requests.
// Names come from Amplitude and descriptions may hold user text: every text is HTML-escaped (which also keeps it on
// one line), and only http(s) links are made.
//
// Rendered by cohort/dry-run.ts once every check has passed.
import { forecastNotice, type MonthSpend, spendSentence, UNCOUNTED } from '../cohort/budget.js'
import { formatCount } from './format.js'
import { escapeHtml, htmlTable } from './html.js'

export interface PlannedCohort {
  id: string
  /** Amplitude's name for it, null when unknown. */
  name: string | null
  /** Members at its last computation, null when unknown. */
  size: number | null
  /** Epoch ms, null when unknown. */
  lastComputed: number | null
  /** What it would be compared with, as plain text: `the export of run 123 (2026-12-01)`, `none: a full export`. */
  baseline: string
  /** The baseline's run, linked when given. */
  baselineUrl?: string
  /** Cohort requests the real run would spend on it: 1, or 0 when it would resume a request. */
  requests: number
}

export function dryRunSummary(
  cohorts: readonly PlannedCohort[],
  /** Undefined when the month is not counted (see UNCOUNTED). */
  month: MonthSpend | undefined,
  budget?: number
): string {
  const rows = cohorts.map(c => [
    `<code>${escapeHtml(c.id)}</code>`,
    c.name === null ? '—' : escapeHtml(c.name),
    formatCount(c.size),
    c.lastComputed === null ? '—' : utcMinute(c.lastComputed),
    baselineCell(c),
    String(c.requests)
  ])
  if (cohorts.length > 1) {
    const total = cohorts.reduce((sum, c) => sum + c.requests, 0)
    rows.push(['<b>Total</b>', '', '', '', '', `<b>${total}</b>`])
  }
  const head = ['Cohort', 'Name', 'Size', 'Last computed (UTC)', 'Compared with', 'Cohort requests']
  const notice = month && forecastNotice(month, budget)
  return (
    '<h2>Amplitude cohort export: dry run</h2>\n' +
    "<p>Nothing was exported or uploaded, and no cohort request was spent. Tonight's run would do this:</p>\n" +
    `${htmlTable(head, rows)}\n` +
    `<p>${escapeHtml(month ? spendSentence(month, budget) : UNCOUNTED)}</p>\n` +
    (notice ? `<p><b>Notice:</b> ${escapeHtml(notice)}</p>\n` : '')
  )
}

function baselineCell(cohort: PlannedCohort): string {
  const text = escapeHtml(cohort.baseline)
  const url = cohort.baselineUrl
  return url !== undefined && /^https?:\/\//i.test(url) ? `<a href="${escapeHtml(url)}">${text}</a>` : text
}

/** `2026-12-01 02:00`. */
function utcMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ')
}
