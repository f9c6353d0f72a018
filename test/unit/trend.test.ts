import { afterAll, describe, expect, it } from '@jest/globals'
import type { HistoryEntry } from '../../src/report/history.js'
import { trendMarkdown, trendSentence, type CohortHistory } from '../../src/report/trend.js'
import { closeMermaid, parseMermaid, readXYChart } from '../support/mermaid-parser.mjs'

afterAll(closeMermaid)

const DAY = 86_400_000
const TONIGHT = Date.UTC(2026, 10, 28, 2, 14)

/** `counts.length` nightly exports ending tonight (Nov 28), the first without a comparison. */
function history(counts: number[], id = 'r'): HistoryEntry[] {
  return counts.map((memberCount, i) => ({
    exportedAt: new Date(TONIGHT - (counts.length - 1 - i) * DAY).toISOString(),
    requestId: `${id}-${i}`,
    memberCount,
    enteringCount: i === 0 ? null : 300 + ((i * 37) % 200),
    exitingCount: i === 0 ? null : 250 + ((i * 53) % 250)
  }))
}

/** Members wandering around `base`. */
function wave(n: number, base: number): number[] {
  return Array.from({ length: n }, (_, i) => base + Math.round((base / 50) * Math.sin(i / 3)))
}

/** The text inside each ```mermaid fence. */
function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map(m => m[1])
}

/** Every Mermaid block parses, and what the parser read from each. */
async function charts(markdown: string): Promise<Awaited<ReturnType<typeof readXYChart>>[]> {
  const blocks = mermaidBlocks(markdown)
  expect(blocks.length).toBeGreaterThan(0)
  for (const block of blocks) await expect(parseMermaid(block)).resolves.toBe('xychart')
  const read = []
  for (const block of blocks) read.push(await readXYChart(block))
  return read
}

function one(counts: number[], cohortId = 'crm-list'): CohortHistory[] {
  return [{ cohortId, history: history(counts) }]
}

describe('the Mermaid parser used by these tests', () => {
  it('rejects broken xychart text', async () => {
    const good = mermaidBlocks(trendMarkdown(one([48_000, 48_300, 47_900])))[0]
    await expect(parseMermaid(good)).resolves.toBe('xychart')
    const broken = [
      good.replace(/\["Nov 26", /, '["Nov 26" '),
      good.replace(/\]\n {2}y-axis/, '\n  y-axis'),
      good.replace('line "crm-list"', 'line "crm"list"'),
      good.replace(/47600 --> /, '47600 '),
      good.replace('xychart-beta', 'xychart-gamma')
    ]
    for (const text of broken) {
      expect(text).not.toBe(good)
      await expect(parseMermaid(text)).rejects.toThrow()
    }
  })
})

describe('trendMarkdown', () => {
  it('charts a single export: a bar for tonight, no entering/exiting chart yet, a one-row table', async () => {
    const markdown = trendMarkdown(one([48_120]))
    const [members, ...rest] = await charts(markdown)
    expect(rest).toEqual([])
    expect(members.xAxis.categories).toEqual(['Nov 28 ★'])
    expect(members.plots).toEqual([{ type: 'bar', title: 'crm-list', values: [48_120] }])
    expect(members.yAxis.min).toBeLessThan(48_120)
    expect(members.yAxis.max).toBeGreaterThan(48_120)
    expect(markdown).toContain('no comparison with an earlier export yet')
    expect(markdown).toContain('<tr><td><b>Nov 28 ★</b></td><td align="right"><b>48,120</b></td>')
    expect(markdown.match(/<tr>/g)).toHaveLength(2)
  })

  it('charts two exports: a members line, and entering/exiting only for the export that was compared', async () => {
    const markdown = trendMarkdown(one([48_000, 47_500]))
    const [members, changes] = await charts(markdown)
    expect(members.xAxis.categories).toEqual(['Nov 27', 'Nov 28 ★'])
    expect(members.plots).toEqual([{ type: 'line', title: 'crm-list', values: [48_000, 47_500] }])
    // The first export had no comparison (null counts): it is left out of the bars, and shows "—" in the table.
    expect(changes.xAxis.categories).toEqual(['Nov 28 ★'])
    expect(changes.plots).toEqual([
      { type: 'bar', title: 'Entering', values: [337 + 303] },
      { type: 'bar', title: 'Exiting', values: [303] }
    ])
    expect(changes.yAxis.min).toBe(0)
    expect(changes.yAxis.max).toBeGreaterThanOrEqual(640)
    expect(markdown).toContain('<td>Nov 27</td><td align="right">48,000</td><td align="right">—</td>')
  })

  it('charts 30 exports with short labels that are unique, the dates in the axis title and tonight marked', async () => {
    const counts = wave(30, 48_000)
    const markdown = trendMarkdown(one(counts))
    const [members, changes] = await charts(markdown)
    expect(members.xAxis.categories).toHaveLength(30)
    expect(new Set(members.xAxis.categories).size).toBe(30)
    expect(members.xAxis.categories.slice(0, 3)).toEqual(['30', '31', '1'])
    expect(members.xAxis.categories.at(-1)).toBe('28 ★')
    expect(members.xAxis.title).toBe('Export date (UTC), Oct 30 – Nov 28, ★ = tonight')
    expect(members.plots[0].values).toEqual(counts)
    // The axis starts a little under the lowest count and ends a little over the highest.
    const [low, high] = [Math.min(...counts), Math.max(...counts)]
    expect(members.yAxis.min).toBeLessThan(low)
    expect(members.yAxis.min).toBeGreaterThan(low - (high - low))
    expect(members.yAxis.max).toBeGreaterThan(high)
    expect(members.yAxis.max).toBeLessThan(high + (high - low))
    expect(changes.xAxis.categories).toHaveLength(29)
    expect(changes.plots.map(p => p.values.length)).toEqual([29, 29])
    // The table keeps full dates.
    expect(markdown).toContain('<td>Oct 30</td>')
    expect(markdown).toContain('<td><b>Nov 28 ★</b></td>')
  })

  it('charts several cohorts as one line each (shorter histories aligned on tonight), with a table each', async () => {
    const cohorts: CohortHistory[] = [
      { cohortId: 'crm-list', history: history(wave(30, 48_000), 'a') },
      { cohortId: 'campaign_audience', history: history(wave(12, 15_000), 'b') },
      { cohortId: 'churn-risk', history: history(wave(30, 2_500), 'c') }
    ]
    const markdown = trendMarkdown(cohorts)
    const [members, ...rest] = await charts(markdown)
    expect(rest).toEqual([])
    expect(members.xAxis.categories).toHaveLength(30)
    expect(members.plots.map(p => [p.type, p.title, p.values.length])).toEqual([
      ['line', 'crm-list', 30],
      ['line', 'campaign_audience', 30],
      ['line', 'churn-risk', 30]
    ])
    // The 12-export history is padded at the front with its first count, and the caption says so.
    const padded = members.plots[1].values
    expect(padded.slice(18)).toEqual(wave(12, 15_000))
    expect(new Set(padded.slice(0, 19))).toEqual(new Set([wave(12, 15_000)[0]]))
    expect(markdown).toContain(
      '<sub>Lines: <code>crm-list</code> blue, <code>campaign_audience</code> orange (12 of 30 exports), ' +
        '<code>churn-risk</code> green.</sub>'
    )
    expect(members.yAxis.min).toBeLessThan(Math.min(...wave(30, 2_500)))
    for (const id of ['crm-list', 'campaign_audience', 'churn-risk']) {
      expect(markdown).toContain(`<p>Cohort <code>${id}</code></p>\n<table>`)
    }
    expect(markdown.match(/<table>/g)).toHaveLength(3)
    expect(markdown.match(/<tr>/g)).toHaveLength(31 + 13 + 31)
  })

  it('charts several cohorts with one export each as one bar per cohort', async () => {
    const markdown = trendMarkdown([
      { cohortId: 'crm-list', history: history([48_000]) },
      { cohortId: 'campaign_audience', history: history([15_000]) },
      { cohortId: 'churn-risk', history: history([2_500]) }
    ])
    const [members, ...rest] = await charts(markdown)
    expect(rest).toEqual([])
    expect(members.xAxis.title).toBe('Cohort, first export, Nov 28 ★')
    expect(members.xAxis.categories).toEqual(['crm-list', 'campaign_audience', 'churn-risk'])
    expect(members.plots).toEqual([{ type: 'bar', title: '', values: [48_000, 15_000, 2_500] }])
  })

  it('labels exports on the same day by time, and an unparsable date by its position', async () => {
    const entries = history([100, 110, 120, 130])
    entries[1].exportedAt = 'last Tuesday'
    entries[2].exportedAt = '2026-11-28T01:00:00Z'
    const [members, changes] = await charts(trendMarkdown([{ cohortId: 'c', history: entries }]))
    expect(members.xAxis.categories).toEqual(['Nov 25', '#2', 'Nov 28 01:00', 'Nov 28 02:14 ★'])
    expect(changes.xAxis.categories).toEqual(['#2', 'Nov 28 01:00', 'Nov 28 02:14 ★'])
  })

  it('keeps labels unique when dates repeat, to the minute or as days of different months', async () => {
    const twice = history([100, 110, 120])
    twice[1].exportedAt = twice[2].exportedAt
    const [members] = await charts(trendMarkdown([{ cohortId: 'c', history: twice }]))
    expect(members.xAxis.categories).toEqual(['Nov 26', 'Nov 28 02:14 #2', 'Nov 28 02:14 #3 ★'])
    // 30 exports two days apart span two months: "28" and "14" appear twice as days.
    const sparse = history(wave(30, 1000)).map((e, i) => ({
      ...e,
      exportedAt: new Date(TONIGHT - (29 - i) * 2 * DAY).toISOString()
    }))
    const [spread] = await charts(trendMarkdown([{ cohortId: 'c', history: sparse }]))
    expect(new Set(spread.xAxis.categories).size).toBe(30)
    expect(spread.xAxis.title).toBe('Export date (UTC), Oct 1 – Nov 28, ★ = tonight')
  })

  it('marks tonight even when tonight was not compared, and shows the null counts as "—"', async () => {
    const entries = history([100, 110, 120])
    entries[2].enteringCount = null
    entries[2].exitingCount = null
    const markdown = trendMarkdown([{ cohortId: 'c', history: entries }])
    const [members, changes] = await charts(markdown)
    expect(members.xAxis.categories).toEqual(['Nov 26', 'Nov 27', 'Nov 28 ★'])
    expect(changes.xAxis.categories).toEqual(['Nov 27'])
    expect(markdown).toContain('<td align="right"><b>—</b></td><td align="right"><b>—</b></td></tr></table>')
  })

  it('keeps a sensible axis when every count is 0', async () => {
    const entries = history([0, 0]).map(e => ({ ...e, enteringCount: 0, exitingCount: 0 }))
    const [members, changes] = await charts(trendMarkdown([{ cohortId: 'c', history: entries }]))
    expect([members.yAxis.min, members.yAxis.max]).toEqual([0, 1])
    expect([changes.yAxis.min, changes.yAxis.max]).toEqual([0, 1])
  })

  it('does not let a hostile cohort ID out of its quotes, in Mermaid or in HTML', async () => {
    const hostile = 'a"];<script>alert(1)</script>\n  line [1, 2]\n```\n%%{init: {}}%%`**x**`&amp;'
    const markdown = trendMarkdown([
      { cohortId: hostile, history: history([10, 20]) },
      { cohortId: 'b', history: history([30, 40]) }
    ])
    const [members] = await charts(markdown)
    expect(members.plots).toHaveLength(2)
    expect(members.plots[0].title).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(members.plots[0].values).toEqual([10, 20])
    expect(mermaidBlocks(markdown)).toHaveLength(1)
    expect(markdown.match(/```/g)).toHaveLength(2)
    expect(markdown).not.toContain('<script')
    expect(markdown).toContain('<code>a&quot;];&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(markdown).toContain('&amp;amp;')
    // With one cohort too (its title goes on the line), and as a category of the one-export bar chart.
    for (const cohorts of [
      [{ cohortId: hostile, history: history([10, 20]) }],
      [
        { cohortId: hostile, history: history([10]) },
        { cohortId: 'b', history: history([30]) }
      ]
    ]) {
      const text = trendMarkdown(cohorts)
      const [chart] = await charts(text)
      expect(chart.plots[0].values).toEqual(cohorts.length === 1 ? [10, 20] : [10, 30])
      expect(text).not.toContain('<script')
      expect(text.match(/```/g)).toHaveLength(cohorts.length === 1 ? 4 : 2)
    }
  })

  it('never shows request IDs', () => {
    const entries = history([1, 2, 3], 'secret-request')
    expect(trendMarkdown([{ cohortId: 'c', history: entries }])).not.toContain('secret-request')
  })

  it('is empty without history', () => {
    expect(trendMarkdown([])).toBe('')
    expect(trendMarkdown([{ cohortId: 'c', history: [] }])).toBe('')
  })
})

describe('trendSentence', () => {
  const sentence = (counts: number[]) => trendSentence(history(counts))

  it.each<[string, number[], string, boolean]>([
    ['a single export', [48_120], 'Members 48,120 (first export in the history).', false],
    [
      'a drop inside the range',
      [46_900, 49_800, 49_660, 48_120],
      'Members 48,120 (−1,540, −3.1 % vs the previous export; the previous 3 exports ranged 46,900–49,800).',
      false
    ],
    [
      'a rise inside the range',
      [46_900, 49_800, 47_000, 48_120],
      'Members 48,120 (+1,120, +2.4 % vs the previous export; the previous 3 exports ranged 46,900–49,800).',
      false
    ],
    [
      'no change',
      [46_900, 49_800, 48_120, 48_120],
      'Members 48,120 (unchanged vs the previous export; the previous 3 exports ranged 46,900–49,800).',
      false
    ],
    [
      'a new high',
      [46_900, 49_800, 49_000, 51_000],
      'Members 51,000 (+2,000, +4.1 % vs the previous export; above the previous 3 exports, which ranged ' +
        '46,900–49,800).',
      true
    ],
    [
      'a new low',
      [46_900, 49_800, 47_000, 40_000],
      'Members 40,000 (−7,000, −14.9 % vs the previous export; below the previous 3 exports, which ranged ' +
        '46,900–49,800).',
      true
    ],
    [
      'the top of the range (inside)',
      [46_900, 49_800, 47_000, 49_800],
      'Members 49,800 (+2,800, +6.0 % vs the previous export; the previous 3 exports ranged 46,900–49,800).',
      false
    ],
    [
      'a change from a flat history',
      [500, 500, 500, 501],
      'Members 501 (+1, +0.2 % vs the previous export; above the previous 3 exports, which were all 500).',
      true
    ],
    [
      'a flat history',
      [500, 500, 500],
      'Members 500 (unchanged vs the previous export; the previous 2 exports were all 500).',
      false
    ],
    ['a previous count of 0', [0, 120], 'Members 120 (+120, up from 0 at the previous export).', true],
    ['0 twice', [0, 0], 'Members 0 (unchanged vs the previous export).', false],
    ['down to 0', [50, 0], 'Members 0 (−50, −100.0 % vs the previous export).', true],
    ['a tiny change', [1_000_000, 1_000_001], 'Members 1,000,001 (+1, +<0.1 % vs the previous export).', true]
  ])('%s', (_name, counts, text, outside) => {
    expect(sentence(counts)).toEqual({ sentence: text, outside })
  })

  it('takes the range over the exports before tonight only, up to 29 of them', () => {
    const counts = [1, ...wave(29, 1000), 1012]
    const result = trendSentence(history(counts).slice(-30))
    expect(result.sentence).toMatch(/the previous 29 exports ranged 980–1,020\)\.$/)
    expect(result.outside).toBe(false)
  })

  it('says so for an empty history', () => {
    expect(trendSentence([])).toEqual({ sentence: 'No exports in the history.', outside: false })
  })
})
