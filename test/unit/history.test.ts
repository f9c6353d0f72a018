import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { HISTORY_LIMIT, nextHistory, readHistory, type HistoryEntry } from '../../src/report/history.js'

/** The export of night `n` (1-based) of November 2026. */
function night(n: number, counts: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    exportedAt: new Date(Date.UTC(2026, 10, n, 2, 14)).toISOString(),
    requestId: `req-${n}`,
    memberCount: 48_000 + n,
    enteringCount: n === 1 ? null : 300 + n,
    exitingCount: n === 1 ? null : 250 + n,
    ...counts
  }
}

describe('nextHistory', () => {
  it('starts with this run when there is no baseline, and carries the history forward night after night', () => {
    const first = nextHistory(readHistory(undefined), night(1))
    expect(first).toEqual([night(1)])
    // Each run reads the previous manifest back as JSON: the chain of manifests is the history.
    const second = nextHistory(readHistory(JSON.parse(JSON.stringify(first))), night(2))
    expect(second).toEqual([night(1), night(2)])
    const third = nextHistory(readHistory(JSON.parse(JSON.stringify(second))), night(3))
    expect(third).toEqual([night(1), night(2), night(3)])
  })

  it(`keeps the last ${HISTORY_LIMIT} exports: the oldest are dropped, tonight is last`, () => {
    expect(HISTORY_LIMIT).toBe(30)
    let history: HistoryEntry[] = []
    for (let n = 1; n <= 30; n++) history = nextHistory(history, night(n))
    expect(history.map(e => e.requestId)).toEqual(Array.from({ length: 30 }, (_, i) => `req-${i + 1}`))
    history = nextHistory(history, night(31))
    expect(history).toHaveLength(30)
    expect(history[0]).toEqual(night(2))
    expect(history.at(-1)).toEqual(night(31))
    // A previous manifest that somehow holds more than the limit is cut down too.
    const long = Array.from({ length: 45 }, (_, i) => night(i + 1))
    const next = nextHistory(long, night(46))
    expect(next.map(e => e.requestId)).toEqual(Array.from({ length: 30 }, (_, i) => `req-${i + 17}`))
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', '[{"exportedAt":"2026-11-01T02:14:00.000Z"}]'],
    ['a number', 3],
    ['an object', { 0: night(1), length: 1 }],
    ['an empty array', []]
  ])('treats %s as no history', (_name, previous) => {
    expect(nextHistory(readHistory(previous), night(2))).toEqual([night(2)])
  })

  it('drops malformed entries and keeps the good ones in order', () => {
    const good = [night(1), night(3), night(6)]
    const previous: unknown[] = [
      night(1),
      null,
      'req-2',
      [night(2)],
      { ...night(2), memberCount: '48002' },
      night(3),
      { ...night(4), memberCount: -1 },
      { ...night(4), memberCount: 1.5 },
      { ...night(4), memberCount: Number.NaN },
      { ...night(4), memberCount: 2 ** 53 },
      { ...night(4), enteringCount: -3 },
      { ...night(4), exitingCount: '7' },
      { ...night(5), exportedAt: 20261105 },
      { ...night(5), exportedAt: '' },
      { ...night(5), requestId: undefined },
      { ...night(5), requestId: 'x'.repeat(10_000) },
      night(6)
    ]
    expect(nextHistory(readHistory(previous), night(7))).toEqual([...good, night(7)])
  })

  it('reads missing entering/exiting counts as "no comparison ran", and copies only the known fields', () => {
    const { enteringCount: _e, exitingCount: _x, ...bare } = night(2)
    const padded = { ...night(3), server: '<script>', history: [night(1)] }
    expect(nextHistory(readHistory([bare, padded]), night(4))).toEqual([
      { ...night(2), enteringCount: null, exitingCount: null },
      night(3),
      night(4)
    ])
  })

  it('keeps an unparsable date (the chart shows the position instead) but never counts one export twice', () => {
    const odd = { ...night(1), exportedAt: 'yesterday' }
    expect(nextHistory([odd, night(2)], night(2))).toEqual([odd, night(2)])
  })

  it('does not modify its arguments', () => {
    const previous = [night(1), night(2)]
    const snapshot = structuredClone(previous)
    const current = night(3)
    const result = nextHistory(previous, current)
    expect(previous).toEqual(snapshot)
    result[2].memberCount = 0
    expect(current.memberCount).toBe(48_003)
  })

  it('always ends with tonight, holds at most 30 entries, and keeps the valid previous ones in order', () => {
    const count = fc.oneof(fc.nat(), fc.constant(null))
    const entry = fc.record({
      exportedAt: fc.date({ noInvalidDate: true }).map(d => d.toISOString()),
      requestId: fc.uuid(),
      memberCount: fc.nat(),
      enteringCount: count,
      exitingCount: count
    })
    // Junk that is invalid by construction: a broken entry, or not an entry at all.
    const junk = fc.oneof(
      entry.map(e => ({ ...e, memberCount: -1 - e.memberCount })),
      entry.map(e => ({ ...e, requestId: 42 })),
      entry.map(e => ({ ...e, exportedAt: '' })),
      entry.map(e => ({ ...e, enteringCount: 'many' })),
      fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.nat(), { maxLength: 3 }))
    )
    const tagged = fc.oneof(
      { arbitrary: entry.map(value => ({ ok: true, value })), weight: 4 },
      { arbitrary: junk.map(value => ({ ok: false, value })), weight: 1 }
    )
    fc.assert(
      fc.property(fc.array(tagged, { maxLength: 80 }), entry, (items, current) => {
        const result = nextHistory(readHistory(items.map(item => item.value)), current)
        expect(result.length).toBeLessThanOrEqual(HISTORY_LIMIT)
        expect(result.at(-1)).toEqual(current)
        // What is kept before tonight is exactly the tail of the valid previous entries, in their order.
        const valid = items.filter(item => item.ok).map(item => item.value)
        expect(result.slice(0, -1)).toEqual(valid.slice(-(HISTORY_LIMIT - 1)))
        expect(result.length).toBe(Math.min(valid.length, HISTORY_LIMIT - 1) + 1)
      })
    )
  })
})
