import { describe, expect, it } from '@jest/globals'
import type { ChangeReport } from '../../src/cohort/changes.js'
import type { HistoryEntry } from '../../src/report/history.js'
import type { CohortOutcome } from '../../src/cohort/outcome.js'
import { reportOutcomes } from '../../src/report/report.js'
import { FakeToolkit } from '../support/fake-toolkit.js'

const entry = (day: number, memberCount: number): HistoryEntry => ({
  exportedAt: `2026-11-${String(day).padStart(2, '0')}T03:17:00.000Z`,
  requestId: `r${day}`,
  memberCount,
  enteringCount: 10,
  exitingCount: 5
})

/** A successful report of tonight's export with this history (tonight last). */
async function report(history: HistoryEntry[]): Promise<FakeToolkit> {
  const toolkit = new FakeToolkit({}, {})
  const now = Date.parse('2026-11-29T03:20:00Z')
  const members = history[history.length - 1].memberCount
  const changes: ChangeReport = {
    baseline: '41',
    fullSync: false,
    entering: 10,
    exiting: 5,
    changed: 0,
    skipped: 0,
    files: {},
    history
  }
  const outcome: CohortOutcome = {
    cohortId: 'abc123x',
    startedAt: now,
    endedAt: now,
    requestId: 'r29',
    finalStatus: 'complete',
    membership: {
      path: '/tmp/m.csv',
      members,
      bytes: 10,
      wireBytes: 10,
      sha256: 'f'.repeat(64),
      gzip: false
    },
    changes,
    requests: { request: 1, status: 1, file: 1, storage: 0 }
  }
  await reportOutcomes(toolkit, [outcome], { several: false, validated: true, startedAt: now, now })
  return toolkit
}

describe('tonight in context', () => {
  it('a member count outside the range of the earlier exports raises a notice', async () => {
    const toolkit = await report([entry(26, 1000), entry(27, 1010), entry(28, 1005), entry(29, 700)])
    expect(toolkit.stdout).toMatch(
      /^::notice::Cohort 'abc123x': Members 700 \(.*below the previous 3 exports/m
    )
  })

  it('no notice when tonight is within the range, or with fewer than two earlier exports', async () => {
    for (const history of [
      [entry(26, 1000), entry(27, 1010), entry(28, 1005), entry(29, 1007)],
      [entry(28, 1000), entry(29, 700)],
      [entry(29, 700)]
    ]) {
      const toolkit = await report(history)
      expect(toolkit.stdout).not.toContain('::notice::')
      expect(toolkit.stdout).toMatch(/^Members /m)
    }
  })

  it('the summary shows the chart above tonight’s table, also with one point', async () => {
    const toolkit = await report([entry(29, 700)])
    const chart = toolkit.summary.indexOf('```mermaid')
    expect(chart).toBeGreaterThan(0)
    expect(toolkit.summary.indexOf('<table><tr><th>Field</th>')).toBeGreaterThan(chart)
    expect(toolkit.summary).toContain('<td>Compared with</td><td>run 41</td>')
  })
})
