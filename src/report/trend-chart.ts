// The Mermaid charts of the job summary (xychart-beta, which GitHub renders): members per export, one line per cohort,
// and entering/exiting per export; and the export labels the charts and tables share. Only cohort IDs (reduced to
// their alphabet) and numbers reach the chart text.
import type { HistoryEntry } from './history.js'
import { escapeHtml } from './html.js'
import type { CohortHistory } from './trend.js'

export const TONIGHT = '★'
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
/** Members lines, one per cohort, in this order (Mermaid cycles through the palette past the last one). */
export const LINE_COLOURS: [name: string, hex: string][] = [
  ['blue', '#2563eb'],
  ['orange', '#ea580c'],
  ['green', '#16a34a'],
  ['purple', '#9333ea'],
  ['red', '#dc2626'],
  ['teal', '#0d9488'],
  ['brown', '#92400e'],
  ['grey', '#6b7280']
]
const ENTERING_COLOUR = '#16a34a'
const EXITING_COLOUR = '#dc2626'

/**
 * One members line per cohort. The x-axis is shared, so every line needs a value for every category: the chart spans
 * the longest history, whose dates label the axis, and histories are aligned on tonight (their last entry, written by
 * this same run). A shorter history (a cohort added to the workflow later) is padded at the front with its earliest
 * count, and the caption says how many exports it really has.
 */
export function membersChart(cohorts: CohortHistory[]): string {
  const longest = cohorts.reduce((a, b) => (b.history.length > a.history.length ? b : a))
  const width = longest.history.length
  const counts = cohorts.map(c => {
    const own = c.history.map(e => safeCount(e.memberCount))
    return [...Array<number>(width - own.length).fill(own[0]), ...own]
  })
  const yAxis = `y-axis "Members" ${membersRange(counts.flat())}`
  if (width === 1) {
    // A line through one point is invisible, and bars at one x would hide each other: one bar per cohort instead.
    const ids = unique(cohorts.map(c => mermaidText(c.cohortId)))
    const axis =
      cohorts.length === 1
        ? xAxis(longest.history)
        : `x-axis "Cohort, ${xAxisTitle(longest.history)}" ${quoted(ids)}`
    return mermaidChart([LINE_COLOURS[0][1]], 'Members per export', axis, yAxis, [
      cohorts.length === 1
        ? `bar "${mermaidText(longest.cohortId)}" ${series(counts[0])}`
        : `bar ${series(counts.map(([n]) => n))}`
    ])
  }
  const lines = cohorts.map((c, i) => `line "${mermaidText(c.cohortId)}" ${series(counts[i])}`)
  const chart = mermaidChart(
    LINE_COLOURS.map(([, hex]) => hex),
    'Members per export',
    xAxis(longest.history),
    yAxis,
    lines
  )
  if (cohorts.length === 1) return chart
  const names = cohorts.map((c, i) => {
    const note = c.history.length < width ? ` (${c.history.length} of ${width} exports)` : ''
    return `<code>${escapeHtml(c.cohortId)}</code> ${LINE_COLOURS[i % LINE_COLOURS.length][0]}${note}`
  })
  return `${chart}\n\n<sub>Lines: ${names.join(', ')}.</sub>`
}

/**
 * Entering and exiting per export, as stacked bars. An export whose counts are null (no comparison ran, e.g. the
 * first one) is left out rather than drawn as 0: a series cannot skip a point, and a 0-tall bar still shows a stub
 * that reads as a small count. Its table row shows "—".
 */
export function changesChart(history: HistoryEntry[]): string {
  const wasCompared = (e: HistoryEntry) => e.enteringCount !== null || e.exitingCount !== null
  const compared = history.filter(wasCompared)
  if (compared.length === 0)
    return '<sub>Entering and exiting: no comparison with an earlier export yet.</sub>'
  const exiting = compared.map(e => safeCount(e.exitingCount))
  const stacked = compared.map((e, i) => safeCount(e.enteringCount) + exiting[i])
  const chart = mermaidChart(
    [ENTERING_COLOUR, EXITING_COLOUR],
    'Entering and exiting per export',
    xAxis(history, wasCompared),
    `y-axis "Members" 0 --> ${niceCeiling(Math.max(...stacked) * 1.1)}`,
    [`bar "Entering" ${series(stacked)}`, `bar "Exiting" ${series(exiting)}`]
  )
  return (
    `${chart}\n\n<sub>Each bar is entering + exiting: its lower part (red) left the cohort, its upper part ` +
    '(green) joined it.</sub>'
  )
}

/**
 * A ```mermaid xychart. The init directive (understood since Mermaid 10, and by GitHub) sets the series colours and a
 * width that leaves room for 30 x-axis labels.
 */
function mermaidChart(
  palette: string[],
  title: string,
  xAxis: string,
  yAxis: string,
  plots: string[]
): string {
  const init = {
    xyChart: { width: 900, height: 400 },
    themeVariables: { xyChart: { plotColorPalette: palette.join(', ') } }
  }
  return [
    '```mermaid',
    `%%{init: ${JSON.stringify(init)}}%%`,
    'xychart-beta',
    `  title "${title}"`,
    `  ${xAxis}`,
    `  ${yAxis}`,
    ...plots.map(plot => `  ${plot}`),
    '```'
  ].join('\n')
}

/**
 * The x-axis of the exports in `history` for which `keep` is true (all by default): "Nov 28" labels; above 12
 * exports only the day ("28"), with the first and last dates in the axis title, so that 30 labels fit side by side.
 * Labels come from the whole history, so an export has the same label in every chart and in the table.
 */
function xAxis(history: HistoryEntry[], keep: (entry: HistoryEntry) => boolean = () => true): string {
  const compact = history.length > 12
  const labels = exportLabels(history, compact).filter((_, i) => keep(history[i]))
  const dates = history.filter(keep).flatMap(e => parseDate(e.exportedAt) ?? [])
  const span =
    compact && dates.length > 0 ? `, ${dayLabel(dates[0])} – ${dayLabel(dates[dates.length - 1])}` : ''
  return `x-axis "Export date (UTC)${span}, ${TONIGHT} = tonight" ${quoted(labels)}`
}

/** The axis title for a single export: "first export, Nov 28 ★". */
function xAxisTitle(history: HistoryEntry[]): string {
  return `first export, ${exportLabels(history)[0]}`
}

function quoted(labels: string[]): string {
  return `[${labels.map(l => `"${l}"`).join(', ')}]`
}

/** The labels, with " #n" (1-based position) added to any that would otherwise repeat. */
function unique(labels: string[]): string[] {
  return labels.map((label, i) =>
    labels.indexOf(label) === labels.lastIndexOf(label) ? label : `${label} #${i + 1}`
  )
}

function series(values: number[]): string {
  return `[${values.join(', ')}]`
}

/** `min --> max` for the members axis: a little room under the lowest count and over the highest, at round numbers. */
function membersRange(values: number[]): string {
  const low = Math.min(...values)
  const high = Math.max(...values)
  const pad = Math.max((high - low) * 0.1, high * 0.005, 1)
  const step = 10 ** Math.floor(Math.log10(pad))
  const min = Math.max(0, Math.floor((low - pad) / step) * step)
  const max = Math.ceil((high + pad) / step) * step
  return `${min} --> ${max}`
}

/** The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^k) at or above `value`, at least 1. */
function niceCeiling(value: number): number {
  if (!(value > 1)) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  const nice = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find(f => f * power >= value) ?? 10
  return nice * power
}

/** A count for the chart: a non-negative integer, 0 when missing or not a number. */
function safeCount(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0
}

/**
 * Labels for the exports, unique (Mermaid's band axis would merge equal categories): "Nov 28" (UTC) from
 * `exportedAt`, or only "28" when `compact`; the time added ("Nov 28 14:05") when several exports fall on one
 * day; "#5" (the export's position) when the date does not parse; ★ on tonight's.
 */
export function exportLabels(history: HistoryEntry[], compact = false): string[] {
  const dates = history.map(e => parseDate(e.exportedAt))
  const days = dates.map((d, i) => (!d ? `#${i + 1}` : compact ? `${d.getUTCDate()}` : dayLabel(d)))
  const withTimes = days.map((day, i) => {
    const d = dates[i]
    if (!d || days.indexOf(day) === days.lastIndexOf(day)) return day
    return `${day} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`
  })
  return unique(withTimes).map((label, i) => (i === history.length - 1 ? `${label} ${TONIGHT}` : label))
}

function dayLabel(date: Date): string {
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`
}

function parseDate(text: unknown): Date | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined
  const ms = Date.parse(text)
  return Number.isFinite(ms) ? new Date(ms) : undefined
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

/**
 * Text inside a Mermaid quoted string: it ends at the next `"` (there is no escape), and Mermaid reads some
 * characters as markup (backticks for Markdown strings, `<` and `&` for HTML, `%%` for comments, `;` as a statement
 * end), so only the cohort-ID alphabet is kept; anything else becomes `_`.
 */
function mermaidText(text: string): string {
  return text.slice(0, 128).replace(/[^A-Za-z0-9_-]/g, '_')
}
