import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import type { HistoryEntry } from '../../src/report/history.js'
import { historySection } from '../../src/report/summary.js'

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** The history of the README's example: three nights of cohort abc123x. */
const history: HistoryEntry[] = [
  {
    exportedAt: '2026-11-26T03:17:40.000Z',
    requestId: 'r1',
    memberCount: 49660,
    enteringCount: null,
    exitingCount: null
  },
  {
    exportedAt: '2026-11-27T03:18:02.000Z',
    requestId: 'r2',
    memberCount: 49210,
    enteringCount: 310,
    exitingCount: 760
  },
  {
    exportedAt: '2026-11-28T03:17:51.000Z',
    requestId: 'r3',
    memberCount: 48120,
    enteringCount: 402,
    exitingCount: 1492
  }
]

describe("the README's summary example", () => {
  it('is what the action writes for a short history (regenerate it from this test when the chart changes)', () => {
    const expected = historySection('abc123x', history)
    const block = /<!-- summary-example:[^\n]*-->\n\n````markdown\n([\s\S]*?)\n````\n/.exec(readme)?.[1]
    expect(block).toBe(expected.trimEnd())
  })
})
