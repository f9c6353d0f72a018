import { describe, expect, it } from '@jest/globals'
import {
  checkBudget,
  forecastNotice,
  mayRequest,
  monthSpend,
  type SpendEntry,
  spendSentence
} from '../../src/cohort/budget.js'
import { RequestBudgetError } from '../../src/errors.js'

const DAY = 86_400_000
const at = (iso: string): number => Date.parse(iso)
let ids = 0

/** One export a night at 02:00 UTC from `first` to `last` (inclusive), each spending `requests` (default: field left out). */
function nightly(first: string, last: string, requests?: number): SpendEntry[] {
  const entries: SpendEntry[] = []
  for (let t = at(`${first}T02:00:00Z`); t <= at(`${last}T02:00:00Z`); t += DAY) {
    entries.push({
      exportedAt: new Date(t).toISOString(),
      requestId: `req-${ids++}`,
      ...(requests === undefined ? {} : { requests })
    })
  }
  return entries
}

/** `n` cohorts, each exported nightly from `first` to `last`. */
const cohorts = (n: number, first: string, last: string): SpendEntry[][] =>
  Array.from({ length: n }, () => nightly(first, last, 1))

describe('monthSpend: this calendar month (UTC), each request ID once', () => {
  it('no history: nothing spent, nothing forecast; a dry run of a first night forecasts its requests for each day left', () => {
    const now = at('2026-12-10T12:00:00Z')
    expect(monthSpend([], { now })).toMatchObject({
      spent: 0,
      planned: 0,
      forecast: 0,
      from: 10,
      days: 31,
      today: 10
    })
    // 20 cohorts from tonight, the 10th, to the 31st: 22 nights.
    expect(monthSpend([[], []], { now, planned: 20 }).forecast).toBe(440)
  })

  it('a workflow that ran all month: the pace of the days so far, today counted whole', () => {
    const month = monthSpend(cohorts(20, '2026-11-20', '2026-12-10'), { now: at('2026-12-10T02:30:00Z') })
    expect(month).toMatchObject({
      name: 'December',
      spent: 200,
      from: 1,
      today: 10,
      forecast: 620,
      atLeast: false
    })
  })

  it('on the 1st, an hour after the first night of the month: one day of spend, not a pace per hour', () => {
    const month = monthSpend(cohorts(20, '2026-11-25', '2026-12-01'), { now: at('2026-12-01T03:00:00Z') })
    expect(month).toMatchObject({ spent: 20, from: 1, forecast: 620 })
  })

  it("on the month's last day the forecast is what was spent", () => {
    const month = monthSpend(cohorts(3, '2026-11-28', '2026-12-31'), { now: at('2026-12-31T23:59:59Z') })
    expect(month).toMatchObject({ spent: 93, forecast: 93 })
  })

  it("a history across the month's end counts this month's exports only, to the millisecond", () => {
    const history: SpendEntry[] = [
      ...nightly('2026-12-25', '2026-12-31', 1),
      { exportedAt: '2026-12-31T23:59:59.999Z', requestId: 'last-of-december' },
      { exportedAt: '2027-01-01T00:00:00.000Z', requestId: 'first-of-january' },
      ...nightly('2027-01-01', '2027-01-02', 1)
    ]
    const january = monthSpend([history], { now: at('2027-01-02T05:00:00Z') })
    expect(january).toMatchObject({ name: 'January', spent: 3, from: 1, today: 2, days: 31, forecast: 47 })
    const december = monthSpend([history], { now: at('2026-12-31T23:59:59.999Z') })
    expect(december).toMatchObject({ name: 'December', spent: 8, from: 25, forecast: 8 })
  })

  it('30-day months and February, leap or not', () => {
    const history = (first: string, last: string) => [nightly(first, last, 1)]
    expect(
      monthSpend(history('2026-10-30', '2026-11-15'), { now: at('2026-11-15T03:00:00Z') })
    ).toMatchObject({
      days: 30,
      spent: 15,
      forecast: 30
    })
    expect(
      monthSpend(history('2028-01-30', '2028-02-10'), { now: at('2028-02-10T03:00:00Z') })
    ).toMatchObject({
      name: 'February',
      days: 29,
      spent: 10,
      forecast: 29
    })
    expect(
      monthSpend(history('2027-01-30', '2027-02-10'), { now: at('2027-02-10T03:00:00Z') })
    ).toMatchObject({
      days: 28,
      forecast: 28
    })
  })

  it('a workflow started this month: the pace from its first export, not from the 1st', () => {
    const month = monthSpend(cohorts(20, '2026-12-15', '2026-12-20'), { now: at('2026-12-20T03:00:00Z') })
    // 120 in the 6 days 15th–20th: 20 a day, for the 17 days 15th–31st.
    expect(month).toMatchObject({ spent: 120, from: 15, forecast: 340 })
  })

  it('a history at its 30-export limit that starts inside the month may have lost exports: "at least"', () => {
    const twiceDaily = [...nightly('2026-12-06', '2026-12-20', 1), ...nightly('2026-12-06', '2026-12-20', 1)]
    const month = monthSpend([twiceDaily], { now: at('2026-12-20T03:00:00Z') })
    expect(month).toMatchObject({ spent: 30, atLeast: true, from: 1, forecast: 47 })
    expect(monthSpend([twiceDaily.slice(1)], { now: at('2026-12-20T03:00:00Z') }).atLeast).toBe(false)
  })

  it('re-used and resumed exports spend 0; an entry without the field (older manifests) spent 1', () => {
    const now = at('2026-12-10T03:00:00Z')
    const entry = (requestId: string, requests?: unknown): SpendEntry =>
      ({ exportedAt: '2026-12-09T02:00:00Z', requestId, requests }) as SpendEntry
    expect(monthSpend([[entry('a', 1), entry('b', 0), entry('c')]], { now }).spent).toBe(2)
    // Not a count: read as missing, so 1 (a budget errs on the side of counting).
    expect(monthSpend([[entry('d', -1), entry('e', 1.5), entry('f', '0')]], { now }).spent).toBe(3)
  })

  it('one request ID is counted once, across cohorts and entries, at the most any entry says', () => {
    const now = at('2026-12-10T03:00:00Z')
    const entry = (requestId: string, requests: number, day = '09'): SpendEntry => ({
      exportedAt: `2026-12-${day}T02:00:00Z`,
      requestId,
      requests
    })
    // 'x' was requested on the 8th and resumed on the 9th; 'y' appears in two cohorts' histories.
    const month = monthSpend([[entry('x', 1, '08'), entry('x', 0)], [entry('y', 1)], [entry('y', 1)]], {
      now
    })
    expect(month.spent).toBe(2)
  })

  it('an entry without a valid date is not counted', () => {
    const month = monthSpend([[{ exportedAt: 'yesterday', requestId: 'r' }]], {
      now: at('2026-12-10T03:00:00Z')
    })
    expect(month).toMatchObject({ spent: 0, from: 10 })
  })
})

describe('the budget: a request that would pass it is not made', () => {
  it('no budget: always; a budget: while the month and this step stay below it', () => {
    expect(mayRequest({ spent: 10_000, made: 50 })).toBe(true)
    expect(mayRequest({ budget: 300, spent: 290, made: 9 })).toBe(true)
    expect(mayRequest({ budget: 300, spent: 290, made: 10 })).toBe(false)
    expect(mayRequest({ budget: 0, spent: 0, made: 0 })).toBe(false)
  })

  it('several cohorts: those that fit run, the others are refused', () => {
    let made = 0
    const refused: number[] = []
    for (let cohort = 0; cohort < 10; cohort++) {
      if (mayRequest({ budget: 45, spent: 40, made })) made++
      else refused.push(cohort)
    }
    expect(made).toBe(5)
    expect(refused).toEqual([5, 6, 7, 8, 9])
  })

  it('checkBudget throws the facts: the count, the budget, the month and when it starts again', () => {
    expect(() =>
      checkBudget({ budget: 300, spent: 250, made: 49, now: at('2026-12-31T23:00:00Z') })
    ).not.toThrow()
    let error: unknown
    try {
      checkBudget({ budget: 300, spent: 250, made: 50, now: at('2026-12-31T23:00:00Z') })
    } catch (thrown) {
      error = thrown
    }
    expect(error).toBeInstanceOf(RequestBudgetError)
    expect(error).toMatchObject({ spent: 300, budget: 300, month: 'December 2026', resetsOn: '2027-01-01' })
  })
})

describe('what the summary says', () => {
  /** `spent` cohorts that ran in November and once in December, seen on the 5th. */
  const december = (spent: number, planned = 0) =>
    monthSpend(
      Array.from({ length: spent }, (_, i) => [
        { exportedAt: '2026-11-30T02:00:00Z', requestId: `n${i}` },
        { exportedAt: '2026-12-01T02:00:00Z', requestId: `d${i}` }
      ]),
      { now: at('2026-12-05T03:00:00Z'), planned }
    )

  it("the month's count and forecast, and what it cannot see", () => {
    expect(spendSentence(december(112))).toBe(
      'December: 112 cohort requests spent by this workflow; at this pace about 694 by Dec 31. ' +
        "Amplitude's own count may be higher: it includes every cohort request made outside this workflow."
    )
    expect(spendSentence(december(1), 500)).toMatch(
      /^December: 1 of 500 budgeted cohort requests spent by this workflow; at this pace about 6 by Dec 31\./
    )
    expect(spendSentence(december(1))).toMatch(/^December: 1 cohort request spent/)
    expect(spendSentence(december(0))).toMatch(
      /^December: no cohort requests spent by this workflow so far\. Amplitude's/
    )
  })

  it("a dry run adds tonight's requests; a history that may have lost exports says 'at least'", () => {
    expect(spendSentence(december(100, 20))).toMatch(
      /^December: 100 cohort requests spent by this workflow, and 20 tonight; at this pace about 744 by Dec 31\./
    )
    const full = [...nightly('2026-12-06', '2026-12-20', 1), ...nightly('2026-12-06', '2026-12-20', 1)]
    expect(spendSentence(monthSpend([full], { now: at('2026-12-20T03:00:00Z') }))).toMatch(
      /^December: at least 30 cohort requests spent by this workflow; at this pace 47 or more by Dec 31\./
    )
  })

  it('a notice when the forecast passes the budget, with the day refusals start', () => {
    const month = monthSpend(cohorts(20, '2026-11-25', '2026-12-05'), { now: at('2026-12-05T03:00:00Z') })
    expect(month).toMatchObject({ spent: 100, forecast: 620 })
    expect(forecastNotice(month)).toBeUndefined()
    expect(forecastNotice(month, 620)).toBeUndefined()
    // 400 left at 20 a day lasts the 6th–25th: the 26th is refused.
    expect(forecastNotice(month, 500)).toBe(
      "At this pace this workflow spends about 620 cohort requests in December, more than 'monthly-request-budget' " +
        '(500): its cohort requests are refused from about Dec 26 until Jan 1 (UTC). Raise the budget, or export ' +
        'fewer cohorts or less often.'
    )
    expect(forecastNotice(month, 619)).toContain('refused from about Dec 31 until Jan 1')
    expect(forecastNotice(month, 100)).toContain('refused from now until Jan 1')
  })
})
