import { describe, expect, it } from '@jest/globals'
import { monthSpend } from '../../src/cohort/budget.js'
import { dryRunSummary, type PlannedCohort } from '../../src/report/dry-run-plan.js'
import { readHtml } from '../support/html-reader.mjs'

const now = Date.parse('2026-12-05T12:00:00Z')
/** Two cohorts exported nightly since November: 10 requests this month so far. */
const histories = [0, 1].map(c =>
  Array.from({ length: 10 }, (_, i) => ({
    exportedAt: new Date(Date.parse('2026-11-26T02:00:00Z') + i * 86_400_000).toISOString(),
    requestId: `r${c}-${i}`,
    requests: 1
  }))
)

const vip: PlannedCohort = {
  id: 'vip42',
  name: 'VIP buyers',
  size: 48_120,
  lastComputed: Date.parse('2026-12-05T01:30:00Z'),
  baseline: 'the export of run 1234 (2026-12-04)',
  baselineUrl: 'https://github.com/o/r/actions/runs/1234',
  requests: 1
}

describe("dryRunSummary: what tonight's run would do", () => {
  it('one row per cohort with its name, size, last computation, baseline and requests, then the month', () => {
    const resumed: PlannedCohort = {
      id: 'churn',
      name: null,
      size: null,
      lastComputed: null,
      baseline: 'none: a full export',
      requests: 0
    }
    const month = monthSpend(histories, { now, planned: 1 })
    const summary = readHtml(dryRunSummary([vip, resumed], month, 500))
    expect(summary.rows).toEqual([
      ['Cohort', 'Name', 'Size', 'Last computed (UTC)', 'Compared with', 'Cohort requests'],
      ['vip42', 'VIP buyers', '48,120', '2026-12-05 01:30', 'the export of run 1234 (2026-12-04)', '1'],
      ['churn', '—', '—', '—', 'none: a full export', '0'],
      ['Total', '', '', '', '', '1']
    ])
    expect(summary.links).toEqual(['https://github.com/o/r/actions/runs/1234'])
    expect(summary.paragraphs[0]).toBe(
      "Nothing was exported or uploaded, and no cohort request was spent. Tonight's run would do this:"
    )
    // 10 + 1 in the 5 days so far, for 31 days.
    expect(summary.paragraphs[1]).toMatch(
      /^December: 10 of 500 budgeted cohort requests spent by this workflow, and 1 tonight; at this pace about 68 by Dec 31\./
    )
    expect(summary.paragraphs).toHaveLength(2)
  })

  it('one cohort: no total row; a forecast past the budget adds the notice', () => {
    const month = monthSpend(histories, { now, planned: 1 })
    const summary = readHtml(dryRunSummary([vip], month, 40))
    expect(summary.rows).toHaveLength(2)
    expect(summary.paragraphs[2]).toMatch(
      /^Notice: At this pace this workflow spends about 68 cohort requests/
    )
  })

  it('server and user text stays text: escaped, on one line, and no link but http(s)', () => {
    const hostile: PlannedCohort = {
      ...vip,
      id: 'a<b>',
      name: '<script>alert(1)</script> & `code` \n::warning::pwned\n\n| a | b |',
      baseline: '</table><img src=x onerror=alert(1)>',
      baselineUrl: 'javascript:alert(1)'
    }
    const html = dryRunSummary([hostile], monthSpend([], { now, planned: 1 }))
    const summary = readHtml(html)
    expect(summary.elements.sort()).toEqual(['code', 'h2', 'p', 'table', 'tbody', 'td', 'th', 'tr'])
    expect(summary.rows[1].slice(0, 2)).toEqual([
      'a<b>',
      '<script>alert(1)</script> & `code`  ::warning::pwned | a | b |'
    ])
    expect(summary.rows[1][4]).toBe('</table><img src=x onerror=alert(1)>')
    // No blank line ends the HTML block, no line starts a workflow command or a code fence.
    expect(html).not.toMatch(/\n\s*\n|^::|^```/m)
  })
})
