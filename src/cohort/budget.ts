// This calendar month's cohort requests (UTC), as far as this workflow can see them: the histories in the manifests of
// the step's cohorts. Amplitude allows 500 a month per account and counts every use of its keys; this sees only the
// exports of these cohorts by this workflow, and says so. Pure: the caller passes `now`.
//
// Used by request-budget.ts (checked before each step-1 request; the summary's paragraph) and dry-run.ts (tonight's
// planned requests).
import { Inputs } from '../config/constants.js'
import { RequestBudgetError } from '../errors.js'
import { HISTORY_LIMIT } from '../report/history.js'

/** One export in a manifest's history, as far as the budget needs it. */
export interface SpendEntry {
  /** When it was exported, ISO 8601 UTC; an entry without a valid date is not counted. */
  exportedAt: string
  requestId: string
  /**
   * The cohort requests the export spent: 1, or 0 when it re-used an earlier attempt's upload or resumed a request
   * (`request-id`). Missing (or not a count): 1, as every export before this field spent one.
   */
  requests?: number
  /** The workflow run that exported it, when known: an artifact and a history entry of one run are one export. */
  runId?: string
}

export interface MonthSpend {
  /** Epoch ms of the month's start and of the next month's start (UTC). */
  start: number
  end: number
  /** `December`. */
  name: string
  /** Days in the month, and today's day of it (1-based, UTC). */
  days: number
  today: number
  /** This month's cohort requests in the histories, each request ID counted once. */
  spent: number
  /** Requests not in the histories that are counted too (a dry run: what tonight's run would spend). */
  planned: number
  /** A history at its length limit may have dropped earlier exports of this month: `spent` is a lower bound. */
  atLeast: boolean
  /** The day of the month the pace is measured from (see `monthSpend`). */
  from: number
  /** `spent + planned` carried on at the same pace to the month's end, rounded. */
  forecast: number
}

const DAY_MS = 86_400_000
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December'
]

/**
 * This month's spend and its forecast. The pace is by whole UTC days, today counted whole (a nightly workflow spends
 * today's requests in one run): pace = (spent + planned) / (today − from + 1) per day, forecast = spent + planned +
 * pace × (days − today). `from` is the 1st when the workflow already ran before this month (a history holds an earlier
 * export, or is at its limit and may have dropped them); otherwise the day of its first export this month (a workflow
 * started mid-month); with no history at all, today.
 */
export function monthSpend(
  histories: readonly (readonly SpendEntry[])[],
  options: { now: number; planned?: number }
): MonthSpend {
  const { now, planned = 0 } = options
  const date = new Date(now)
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)
  const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)
  const days = Math.round((end - start) / DAY_MS)
  const today = date.getUTCDate()

  const byRequest = new Map<string, number>()
  let ranBefore = false
  let atLeast = false
  let first = Infinity
  for (const history of histories) {
    const times = history.map(e => Date.parse(e.exportedAt)).filter(t => Number.isFinite(t))
    const oldest = Math.min(...times)
    if (oldest < start) ranBefore = true
    else if (history.length >= HISTORY_LIMIT && oldest < end) atLeast = ranBefore = true
    for (const entry of history) {
      const at = Date.parse(entry.exportedAt)
      if (!(at >= start && at < end)) continue
      first = Math.min(first, at)
      const requests = isCount(entry.requests) ? entry.requests : 1
      byRequest.set(entry.requestId, Math.max(byRequest.get(entry.requestId) ?? 0, requests))
    }
  }
  const spent = [...byRequest.values()].reduce((sum, n) => sum + n, 0)
  const firstDay = first === Infinity ? today : new Date(first).getUTCDate()
  const from = ranBefore ? 1 : Math.min(firstDay, today)
  const total = spent + planned
  const forecast = Math.round((total * (days - from + 1)) / (today - from + 1))
  return {
    start,
    end,
    name: MONTHS[date.getUTCMonth()],
    days,
    today,
    spent,
    planned,
    atLeast,
    from,
    forecast
  }
}

/** Whether one more cohort request stays within the budget (none: no limit). */
export function mayRequest(options: { budget?: number; spent: number; made: number }): boolean {
  const { budget, spent, made } = options
  return budget === undefined || spent + made < budget
}

/**
 * Throws RequestBudgetError when one more cohort request would pass the budget. `spent`: this month's count before
 * the step (`monthSpend(...).spent`); `made`: the step-1 requests this step has sent so far.
 */
export function checkBudget(options: { budget?: number; spent: number; made: number; now: number }): void {
  if (mayRequest(options)) return
  const { spent, made, now } = options
  const date = new Date(now)
  const next = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1))
  throw new RequestBudgetError(
    spent + made,
    options.budget as number,
    `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`,
    next.toISOString().slice(0, 10)
  )
}

/** What a summary says when the month's cohort requests are not counted (not `compare-with: previous-run`). */
export const UNCOUNTED =
  "This workflow's cohort requests this month are counted with 'compare-with: previous-run', which looks through " +
  'the earlier exports.'

const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/**
 * The summary's sentence, e.g. "December: 112 cohort requests spent by this workflow; at this pace about 260 by
 * Dec 31." followed by what it cannot see.
 */
export function spendSentence(month: MonthSpend, budget?: number): string {
  const { spent, planned, atLeast } = month
  const unseen =
    "Amplitude's own count may be higher: it includes every cohort request made outside this workflow."
  if (spent + planned === 0)
    return `${month.name}: no cohort requests spent by this workflow so far. ${unseen}`
  const of = budget === undefined ? '' : ` of ${numbers.format(budget)} budgeted`
  const noun = spent === 1 && budget === undefined ? 'cohort request' : 'cohort requests'
  const count = `${atLeast ? 'at least ' : ''}${numbers.format(spent)}${of} ${noun} spent by this workflow`
  const tonight = planned > 0 ? `, and ${numbers.format(planned)} tonight` : ''
  const forecast = atLeast
    ? `${numbers.format(month.forecast)} or more`
    : `about ${numbers.format(month.forecast)}`
  return `${month.name}: ${count}${tonight}; at this pace ${forecast} by ${monthEnd(month)}. ${unseen}`
}

/**
 * The notice when the forecast passes the budget, with the day the requests would start to be refused; undefined
 * when it does not (or there is no budget).
 */
export function forecastNotice(month: MonthSpend, budget?: number): string | undefined {
  const total = month.spent + month.planned
  const elapsed = month.today - month.from + 1
  // forecast > budget, in whole numbers: total × (days − from + 1) / elapsed > budget.
  if (budget === undefined || total * (month.days - month.from + 1) <= budget * elapsed) return undefined
  const input = `'${Inputs.MonthlyRequestBudget}' (${numbers.format(budget)})`
  const reset = `${shortMonth(month.end)} 1`
  // The whole days the rest of the budget lasts at this pace; the first refusal comes the day after.
  const refusedOn =
    total >= budget
      ? 'now'
      : `about ${day(month, month.today + Math.floor(((budget - total) * elapsed) / total) + 1)}`
  return (
    `At this pace this workflow spends about ${numbers.format(month.forecast)} cohort requests in ${month.name}, more ` +
    `than ${input}: its cohort requests are refused from ${refusedOn} until ${reset} (UTC). Raise the budget, or ` +
    'export fewer cohorts or less often.'
  )
}

/** `Dec 31`: the month's last day. */
function monthEnd(month: MonthSpend): string {
  return day(month, month.days)
}

function day(month: MonthSpend, n: number): string {
  return `${shortMonth(month.start)} ${n}`
}

function shortMonth(at: number): string {
  return MONTHS[new Date(at).getUTCMonth()].slice(0, 3)
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
