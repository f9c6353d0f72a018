import {
  checkBudget,
  forecastNotice,
  monthSpend,
  type MonthSpend,
  spendSentence,
  type SpendEntry,
  UNCOUNTED
} from './budget.js'
import { escapeHtml } from '../report/html.js'

/**
 * The month's cohort requests across the cohorts of one step, for `monthly-request-budget` and the summary. Each
 * cohort says once what history its baseline carries (or that it has none); a step-1 request waits until every cohort
 * has, so that the month's count is complete, then is counted against the budget before it is sent. Counting and
 * checking happen in one synchronous step, so cohorts that reach step 1 together cannot both pass the last place.
 */
/**
 * A cohort's earlier exports, from its two records of them (see CohortSpend.known): the baseline's history, plus the
 * artifacts of runs the history does not hold (a night whose run failed after its upload, or exports past the
 * history's 30). An artifact and a history entry of one run are one export.
 */
export function earlierExports(
  history: readonly SpendEntry[] | undefined,
  artifacts: readonly SpendEntry[]
): SpendEntry[] {
  const runs = new Set((history ?? []).map(entry => entry.runId).filter(id => id !== undefined))
  return [
    ...(history ?? []),
    ...artifacts.filter(artifact => artifact.runId === undefined || !runs.has(artifact.runId))
  ]
}

/** One cohort's part of the month's count. */
export interface CohortSpend {
  /**
   * The cohort's earlier exports: its baseline's history, and its artifacts of this month (delivered or not); see
   * earlierExports.
   */
  known(history: readonly SpendEntry[] | undefined, artifacts?: readonly SpendEntry[]): void
  done(): void
}

export class RequestBudget {
  private readonly histories: (readonly SpendEntry[])[] = []
  private waiting: number
  private readonly ready: Promise<void>
  private release: () => void = () => undefined
  /** Step-1 requests this step has let through. */
  private made = 0

  constructor(
    /** Undefined: no limit (the month is still counted for the summary). */
    readonly budget: number | undefined,
    cohorts: number,
    private readonly now: () => number
  ) {
    this.waiting = cohorts
    this.ready = new Promise(resolve => {
      this.release = resolve
    })
    if (cohorts === 0) this.release()
  }

  /** One cohort's part: call `known` once its baseline's history is known, and `done` whatever happens. */
  forCohort(): CohortSpend {
    let counted = false
    const count = (history?: readonly SpendEntry[], artifacts: readonly SpendEntry[] = []): void => {
      if (counted) return
      counted = true
      const entries = earlierExports(history, artifacts)
      if (entries.length > 0) this.histories.push(entries)
      if (--this.waiting === 0) this.release()
    }
    return { known: count, done: () => count() }
  }

  /** Before a step-1 request: throws RequestBudgetError when it would pass the budget, and counts it otherwise. */
  async beforeRequest(): Promise<void> {
    if (this.budget !== undefined) {
      await this.ready
      checkBudget({ budget: this.budget, spent: this.spentBefore(), made: this.made, now: this.now() })
    }
    this.made++
  }

  /** This month so far: the baselines' histories and the requests this step sent. */
  month(): MonthSpend {
    const at = new Date(this.now()).toISOString()
    const tonight = Array.from({ length: this.made }, (_, i) => ({
      exportedAt: at,
      requestId: `\0step-${i}`,
      requests: 1
    }))
    return monthSpend([...this.histories, tonight], { now: this.now() })
  }

  private spentBefore(): number {
    return monthSpend(this.histories, { now: this.now() }).spent
  }
}

/**
 * The summary's paragraph on the month's cohort requests (one cohort or several), and the notice when the forecast
 * passes the budget.
 */
export function spendParagraph(
  month: MonthSpend | undefined,
  budget: number | undefined,
  notice: (message: string) => void
): string {
  if (!month) return `<p>${UNCOUNTED}</p>\n`
  const warning = forecastNotice(month, budget)
  if (warning) notice(warning)
  return `<p>${escapeHtml(spendSentence(month, budget))}</p>\n`
}
