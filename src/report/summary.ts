// The job summary, one renderer for one cohort or several: with one, a table of its fields (and the comparison's)
// under the trend chart; with several, a row per cohort under a chart with a line per cohort.
import type { ChangeReport } from '../cohort/changes.js'
import type { CohortOutcome } from '../cohort/outcome.js'
import { formatBytes, formatCount, formatDuration } from './format.js'
import type { HistoryEntry } from './history.js'
import { escapeHtml, htmlTable } from './html.js'
import { cohortResult } from './outputs.js'
import { trendMarkdown, trendSentence } from './trend.js'

/** The summary of the step's cohorts (`several` as the step's `cohort-id` lists them), at `now`. */
export function summaryMarkdown(outcomes: CohortOutcome[], several: boolean, now: number): string {
  return several ? overview(outcomes) : details(outcomes[0], now)
}

/** One cohort: what was exported, or what was known when the run failed. */
function details(outcome: CohortOutcome, now: number): string {
  const { membership: file, artifact, error } = outcome
  const rows: [string, string][] = [
    ['Cohort', `<code>${escapeHtml(outcome.cohortId)}</code>`],
    ['Request ID', outcome.requestId ? `<code>${escapeHtml(outcome.requestId)}</code>` : '—'],
    ['Final status', escapeHtml(outcome.finalStatus ?? '—')],
    ['Members', formatCount(file?.members)],
    ['Size', file ? `${formatBytes(file.bytes)} (${file.bytes} bytes)` : '—'],
    ['SHA-256', file ? `<code>${file.sha256}</code>` : '—'],
    ['Duration', formatDuration(now - outcome.startedAt)],
    ['Cohort requests spent', String(outcome.requests.request)],
    ['Artifact', artifact ? `<a href="${artifact.url}">${artifact.name}</a>` : 'not uploaded'],
    ...changeRows(outcome.changes)
  ]
  const heading = error ? 'Amplitude cohort export failed' : 'Amplitude cohort export'
  let text = `<h2>${heading}</h2>\n`
  const history = outcome.changes?.history ?? []
  if (!error && history.length > 0) text += `\n${historySection(outcome.cohortId, history)}\n`
  text += `${htmlTable(['Field', 'Value'], rows)}\n`
  if (error) text += `\n**Error:** ${escapeHtml(error)}\n\n`
  return text
}

/** The summary's view of the exports so far: the sentence about tonight, then the charts and their table. */
export function historySection(cohortId: string, history: HistoryEntry[]): string {
  return `${trendSentence(history).sentence}\n\n${trendMarkdown([{ cohortId, history }])}`
}

/** The summary rows of the comparison, when one ran. */
function changeRows(changes: ChangeReport | undefined): [string, string][] {
  if (!changes || changes.entering === null) return []
  const baseline =
    changes.baseline === 'none'
      ? 'none: a full sync (every member is entering; replace the whole list)'
      : changes.baseline === 'file'
        ? "the file given as 'compare-with'"
        : changes.baselineUrl
          ? `<a href="${changes.baselineUrl}">run ${escapeHtml(changes.baseline)}</a>`
          : `run ${escapeHtml(changes.baseline)}`
  return [
    ['Compared with', baseline],
    ['Entering', formatCount(changes.entering)],
    ['Exiting', formatCount(changes.exiting)],
    ['Changed', formatCount(changes.changed)],
    ['Skipped (empty or repeated key)', formatCount(changes.skipped)]
  ]
}

const OVERVIEW_HEAD = [
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

/** Several cohorts: one row each, the members chart with a line per cohort, and the cohort requests spent. */
function overview(outcomes: CohortOutcome[]): string {
  const failed = outcomes.filter(o => o.error !== undefined).length
  const rows = outcomes.map(outcome => {
    const r = cohortResult(outcome)
    const artifact = r.artifactUrl ? `<a href="${r.artifactUrl}">${r.artifactId}</a>` : '—'
    const status = r.error
      ? `failed: ${escapeHtml(r.error.split('\n')[0])}`
      : escapeHtml(r.finalStatus ?? '—')
    return [
      `<code>${escapeHtml(outcome.cohortId)}</code>`,
      r.requestId ? `<code>${escapeHtml(r.requestId)}</code>` : '—',
      status,
      formatCount(r.memberCount),
      r.bytes === null ? '—' : formatBytes(r.bytes),
      formatCount(r.enteringCount),
      formatCount(r.exitingCount),
      formatCount(r.changedCount),
      artifact
    ]
  })
  const history = (o: CohortOutcome): HistoryEntry[] => o.changes?.history ?? []
  const chart = trendMarkdown(outcomes.map(o => ({ cohortId: o.cohortId, history: history(o) })))
  // Each cohort's tonight in context, one sentence each.
  const sentences = outcomes
    .filter(o => history(o).length > 0)
    .map(o => `<li><code>${escapeHtml(o.cohortId)}</code>: ${trendSentence(history(o)).sentence}</li>`)
  const heading = failed
    ? `Amplitude cohort export: ${failed} of ${outcomes.length} failed`
    : 'Amplitude cohort export'
  return (
    `<h2>${heading}</h2>\n\n${sentences.length ? `<ul>${sentences.join('')}</ul>\n\n` : ''}` +
    `${chart ? `${chart}\n` : ''}${htmlTable(OVERVIEW_HEAD, rows)}\n\n` +
    `Cohort requests spent: ${spentRequests(outcomes)}\n`
  )
}

/** The cohort requests the step spent, every cohort's together. */
export function spentRequests(outcomes: CohortOutcome[]): number {
  return outcomes.reduce((sum, o) => sum + o.requests.request, 0)
}
