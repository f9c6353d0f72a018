import type { HistoryEntry } from './history.js'
import { formatCount } from './format.js'
import { escapeHtml } from './html.js'
import { changesChart, exportLabels, membersChart } from './trend-chart.js'

/** One cohort's exports, oldest first; the last one is tonight's. */
export interface CohortHistory {
  cohortId: string
  history: HistoryEntry[]
}

const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/**
 * One sentence putting tonight in context, e.g. "Members 48,120 (−1,540, −3.1 % vs the previous export; the previous
 * 29 exports ranged 46,900–49,800)." The range is over the exports before tonight (up to 29 of them); `outside` is
 * true when tonight is outside that range (false with a single point; with two points, any change is outside).
 */
export function trendSentence(history: HistoryEntry[]): { sentence: string; outside: boolean } {
  const tonight = history.at(-1)
  if (!tonight) return { sentence: 'No exports in the history.', outside: false }
  const members = `Members ${numbers.format(tonight.memberCount)}`
  const before = history.slice(0, -1).map(e => e.memberCount)
  const previous = before.at(-1)
  if (previous === undefined) return { sentence: `${members} (first export in the history).`, outside: false }

  const low = Math.min(...before)
  const high = Math.max(...before)
  const count = tonight.memberCount
  const outside = count < low || count > high
  const change = describeChange(previous, count)
  if (before.length === 1) return { sentence: `${members} (${change}).`, outside }

  const exports = `the previous ${before.length} exports`
  const range =
    low === high ? `were all ${numbers.format(low)}` : `ranged ${numbers.format(low)}–${numbers.format(high)}`
  const context = outside
    ? `${count > high ? 'above' : 'below'} ${exports}, which ${range}`
    : `${exports} ${range}`
  return { sentence: `${members} (${change}; ${context}).`, outside }
}

/** "unchanged vs the previous export", "−1,540, −3.1 % vs the previous export", "+120, up from 0 at the previous export". */
function describeChange(previous: number, count: number): string {
  const delta = count - previous
  if (delta === 0) return 'unchanged vs the previous export'
  if (previous === 0) return `+${numbers.format(delta)}, up from 0 at the previous export`
  const sign = delta > 0 ? '+' : '−'
  const percent = (Math.abs(delta) / previous) * 100
  const shown = percent < 0.05 ? '<0.1' : percent.toFixed(1)
  return `${sign}${numbers.format(Math.abs(delta))}, ${sign}${shown} % vs the previous export`
}

/**
 * Markdown for the job summary: Mermaid charts, then the same figures as HTML tables for readers without charts.
 *
 * - One cohort: a chart of members over the exports, and a chart of entering and exiting per export (stacked bars,
 *   in a chart of their own because they are orders of magnitude below the members; stacked because xychart draws
 *   bar series over each other, so each bar is entering + exiting tall with exiting as its lower part).
 * - Several cohorts: one chart with a members line per cohort; entering/exiting are in each cohort's table only.
 *   Mermaid 12 draws a legend from the line titles, older versions do not, so a caption names each line's colour.
 * - Tonight is marked with ★ in its x-axis label and its table row. With a single export the members chart is a
 *   bar per cohort (a line through one point is invisible).
 *
 * Only numbers and cohort IDs reach the output; IDs are reduced to [A-Za-z0-9_-] inside Mermaid (whose quoted strings
 * have no escape for `"`) and HTML-escaped in the tables. Request IDs are not shown.
 */
export function trendMarkdown(cohorts: CohortHistory[]): string {
  const shown = cohorts.filter(c => c.history.length > 0)
  if (shown.length === 0) return ''
  const parts = [membersChart(shown)]
  if (shown.length === 1) parts.push(changesChart(shown[0].history))
  for (const c of shown) parts.push(table(c, shown.length > 1))
  return parts.join('\n\n') + '\n'
}

function table(cohort: CohortHistory, named: boolean): string {
  const labels = exportLabels(cohort.history)
  const head = ['Export (UTC)', 'Members', 'Entering', 'Exiting'].map(h => `<th>${h}</th>`).join('')
  const rows = cohort.history.map((e, i) => {
    const tonight = i === cohort.history.length - 1
    const cells = [
      labels[i],
      formatCount(e.memberCount),
      formatCount(e.enteringCount),
      formatCount(e.exitingCount)
    ]
      .map(cell => (tonight ? `<b>${cell}</b>` : cell))
      .map((cell, j) => (j === 0 ? `<td>${cell}</td>` : `<td align="right">${cell}</td>`))
    return `<tr>${cells.join('')}</tr>`
  })
  const caption = named ? `<p>Cohort <code>${escapeHtml(cohort.cohortId)}</code></p>\n` : ''
  return `${caption}<table><tr>${head}</tr>${rows.join('')}</table>`
}
