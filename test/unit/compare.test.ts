import { afterAll, describe, expect, it } from '@jest/globals'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  headerText,
  type MemberHeader,
  memberFile,
  memberHeader,
  memberLine,
  type MemberRow,
  memberRow
} from '../support/csv-arbitrary.js'
import {
  type CompareOptions,
  compareMemberships,
  firstExport,
  MissingKeyColumnError,
  RecordTooLargeError
} from '../../src/compare/compare.js'
import { CancelledError } from '../../src/errors.js'
import { AMPLITUDE_LIMITS, Scheduler } from '../../src/net/scheduler.js'
import { systemClock } from '../../src/runtime/clock.js'

const root = mkdtempSync(join(tmpdir(), 'compare-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0

type Row = MemberRow

const line = memberLine
const csv = memberFile
/** Text as the bytes of its characters (latin1): how the property tests write files. */
const latin1 = (text: string) => Buffer.from(text, 'latin1')

/**
 * Starts comparing `current` (new.csv) with `baseline` (base.csv) in a folder of their own, writing
 * `new.<kind>.csv` there.
 */
function startComparing(
  baseline: string | Buffer,
  current: string | Buffer,
  key = 'amplitude_id',
  options: CompareOptions = {}
) {
  const dir = join(root, `c${++n}`)
  mkdirSync(dir)
  writeFileSync(join(dir, 'base.csv'), baseline)
  writeFileSync(join(dir, 'new.csv'), current)
  const out = {
    entering: join(dir, 'new.entering.csv'),
    exiting: join(dir, 'new.exiting.csv'),
    changed: join(dir, 'new.changed.csv'),
    skipped: join(dir, 'new.skipped.csv')
  }
  const comparison = compareMemberships(join(dir, 'new.csv'), join(dir, 'base.csv'), key, out, dir, options)
  return { dir, out, comparison }
}

/** Compares and reads the change files back. */
async function compare(
  baseline: string | Buffer,
  current: string | Buffer,
  key = 'amplitude_id',
  options: CompareOptions = {}
) {
  const { dir, out, comparison } = startComparing(baseline, current, key, options)
  const result = await comparison
  // latin1: one character a byte, so invalid UTF-8 is compared as it is.
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'latin1') : undefined)
  return {
    result,
    entering: read(out.entering),
    exiting: read(out.exiting),
    changed: read(out.changed),
    skipped: read(out.skipped),
    dir
  }
}

/** The model: first occurrence of each non-empty key wins (keys are bytes: latin1 text here). */
function firsts(rows: Row[]): Map<string, Row> {
  const map = new Map<string, Row>()
  for (const row of rows) if (row.key !== '' && !map.has(row.key)) map.set(row.key, row)
  return map
}

const norm = (row: Row) => line(row).replace(/\r\n/g, '\n')

/** The model of key order: whole numbers (no leading zero) first, by value; then other keys, byte by byte. */
function keyOrder(a: string, b: string): number {
  const number = (k: string) => /^(0|[1-9][0-9]*)$/.test(k)
  if (number(a) !== number(b)) return number(a) ? -1 : 1
  if (number(a)) return BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0
  return Buffer.compare(latin1(a), latin1(b))
}

/** Whether the non-empty keys of `rows` never go down in key order (then the one-pass merge compares them). */
const inKeyOrder = (rows: Row[]) =>
  rows.filter(r => r.key !== '').every((r, i, keyed) => i === 0 || keyOrder(keyed[i - 1].key, r.key) <= 0)

/** The rows sorted by key (stable: repeats keep their order, the first occurrence stays first). */
const sortedByKey = (rows: Row[]) => [...rows].sort((a, b) => keyOrder(a.key, b.key))

/** The model of a header's column names: unquoted, without the byte order mark. */
const namesOf = (header: MemberHeader) => header.names.replace(/"/g, '')

describe('compareMemberships: the change files are what the model says, byte for byte, in source order', () => {
  it('property: entering, exiting, changed and skipped rows match a model of first-occurrence keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(memberRow, { maxLength: 25 }),
        fc.array(memberRow, { maxLength: 25 }),
        memberHeader,
        memberHeader,
        fc.boolean(),
        fc.boolean(),
        async (generatedBefore, generatedAfter, oldHeader, newHeader, lastEol, sorted) => {
          // Half the cases in key order, which the one-pass merge compares; the others mostly not, for the hash join.
          const before = sorted ? sortedByKey(generatedBefore) : generatedBefore
          const after = sorted ? sortedByKey(generatedAfter) : generatedAfter
          const { result, entering, exiting, changed, skipped } = await compare(
            latin1(csv(oldHeader, before)),
            latin1(csv(newHeader, after, lastEol))
          )
          const old = firsts(before)
          const now = firsts(after)
          // Other column names: every member in both files is changed.
          const allChanged = namesOf(oldHeader) !== namesOf(newHeader)
          const term = (row: Row, i: number, all: Row[]) =>
            i === all.length - 1 && !lastEol && all === after ? '\n' : row.eol
          const tonight = (test: (row: Row) => boolean) =>
            after.map((row, i) => (test(row) ? line(row) + term(row, i, after) : '')).join('')
          const isEntering = (row: Row) => now.get(row.key) === row && !old.has(row.key)
          const isChanged = (row: Row) => {
            const was = old.get(row.key)
            return now.get(row.key) === row && was !== undefined && (allChanged || norm(was) !== norm(row))
          }
          const isSkipped = (row: Row) => now.get(row.key) !== row
          const expectedExiting = before
            .map(row => (old.get(row.key) === row && !now.has(row.key) ? line(row) + row.eol : ''))
            .join('')
          // Each change file under its source's header, as it is (a byte order mark included).
          expect(entering).toBe(`${headerText(newHeader)}\n${tonight(isEntering)}`)
          expect(changed).toBe(`${headerText(newHeader)}\n${tonight(isChanged)}`)
          expect(skipped).toBe(`${headerText(newHeader)}\n${tonight(isSkipped)}`)
          expect(exiting).toBe(`${headerText(oldHeader)}\n${expectedExiting}`)
          const count = (test: (row: Row) => boolean) => after.filter(test).length
          expect(result).toMatchObject({
            entering: count(isEntering),
            changed: count(isChanged),
            skipped: count(isSkipped),
            columns: { differ: allChanged }
          })
          // Every row of tonight's file is accounted for once.
          const unchanged = [...now.values()].filter(row => old.has(row.key) && !isChanged(row)).length
          expect(result.entering + result.changed + unchanged + result.skipped).toBe(after.length)
          expect(result.baselineMembers).toBe(old.size)
          expect(result.method).toBe(inKeyOrder(before) && inKeyOrder(after) ? 'merge' : 'hash')
          expect(result.emptyKeys).toEqual({
            baseline: before.filter(r => r.key === '').length,
            current: after.filter(r => r.key === '').length
          })
          expect(result.duplicateKeys).toEqual({
            baseline: before.filter(r => r.key !== '').length - old.size,
            current: after.filter(r => r.key !== '').length - now.size
          })
        }
      ),
      { numRuns: 200 }
    )
  })

  it('property: baseline − exiting + entering, with changed rows replaced, equals the new file as a set of rows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(memberRow, { maxLength: 30 }),
        fc.array(memberRow, { maxLength: 30 }),
        fc.boolean(),
        async (generatedBefore, generatedAfter, sorted) => {
          const before = sorted ? sortedByKey(generatedBefore) : generatedBefore
          const after = sorted ? sortedByKey(generatedAfter) : generatedAfter
          const header = 'amplitude_id,props'
          const { entering, exiting, changed, skipped } = await compare(
            latin1(csv(header, before)),
            latin1(csv(header, after))
          )
          // latin1 text: csv-parse sees one character a byte.
          const records = (text: string) =>
            (parse(text, { relax_column_count: true, record_delimiter: ['\r\n', '\n'] }) as string[][])
              .slice(1)
              .map(r => r.map(f => f.replace(/\r\n/g, '\n')))
          const byKey = (rows: string[][]) => {
            const map = new Map<string, string>()
            for (const r of rows) if (r[0] !== '' && !map.has(r[0])) map.set(r[0], JSON.stringify(r))
            return map
          }
          const rebuilt = byKey(records(csv(header, before)))
          for (const r of records(exiting!)) rebuilt.delete(r[0])
          for (const r of records(entering!)) rebuilt.set(r[0], JSON.stringify(r))
          for (const r of records(changed!)) rebuilt.set(r[0], JSON.stringify(r))
          const tonight = records(csv(header, after))
          expect(new Set(rebuilt.values())).toEqual(new Set(byKey(tonight).values()))
          // What could not be matched is in the skipped file: nothing of tonight's file is lost.
          expect(records(skipped!).length).toBe(tonight.length - byKey(tonight).size)
        }
      ),
      { numRuns: 100 }
    )
  })
})

describe('compareMemberships: rules', () => {
  it('counts a normal delta with properties changed', async () => {
    const base = 'amplitude_id,user_id,plan\n1,u1,free\n2,u2,pro\n3,u3,free\n'
    const next = 'amplitude_id,user_id,plan\n2,u2,pro\n3,u3,pro\n4,u4,free\n'
    const { result, entering, exiting, changed } = await compare(base, next)
    expect(result).toMatchObject({
      entering: 1,
      exiting: 1,
      changed: 1,
      columns: { differ: false },
      baselineMembers: 3
    })
    expect(entering).toBe('amplitude_id,user_id,plan\n4,u4,free\n')
    expect(exiting).toBe('amplitude_id,user_id,plan\n1,u1,free\n')
    expect(changed).toBe('amplitude_id,user_id,plan\n3,u3,pro\n')
  })

  it('when the columns differ, matches by key and every member in both is changed, as tonight', async () => {
    const base = 'amplitude_id,plan\n1,free\n2,pro\n4,pro\n'
    const next = 'user_id,amplitude_id,plan,country\nu2,2,pro,DE\nu3,3,free,US\nu4,4,pro,FR\n'
    for (const [before, after] of [
      [base, next],
      // Out of key order: the hash join.
      [base.replace('1,free\n2,pro\n', '2,pro\n1,free\n'), next]
    ]) {
      const { result, entering, exiting, changed } = await compare(before, after)
      expect(result).toMatchObject({
        entering: 1,
        exiting: 1,
        changed: 2,
        columns: { differ: true, added: ['user_id', 'country'], removed: [] }
      })
      expect(entering).toBe('user_id,amplitude_id,plan,country\nu3,3,free,US\n')
      expect(exiting).toBe('amplitude_id,plan\n1,free\n')
      expect(changed).toBe('user_id,amplitude_id,plan,country\nu2,2,pro,DE\nu4,4,pro,FR\n')
    }
    // The same names in another order differ too; the rows of both files compare unequal anyway.
    const reordered = await compare('amplitude_id,a,b\n1,x,x\n', 'amplitude_id,b,a\n1,x,x\n')
    expect(reordered.result).toMatchObject({ changed: 1, columns: { differ: true, added: [], removed: [] } })
  })

  it('CRLF and LF rows compare equal', async () => {
    const { result } = await compare(
      'amplitude_id,p\r\n1,a\r\n2,"x\r\ny"\r\n',
      'amplitude_id,p\n1,a\n2,"x\ny"\n'
    )
    expect(result).toMatchObject({ entering: 0, exiting: 0, changed: 0 })
  })

  it('matches by another key column, and refuses a file without it', async () => {
    const { result } = await compare(
      'amplitude_id,user_id\n1,a\n2,\n',
      'amplitude_id,user_id\n9,a\n8,\n',
      'user_id'
    )
    expect(result).toMatchObject({
      entering: 0,
      exiting: 0,
      changed: 1,
      emptyKeys: { baseline: 1, current: 1 }
    })
    await expect(compare('amplitude_id\n1\n', 'amplitude_id\n1\n', 'user_id')).rejects.toBeInstanceOf(
      MissingKeyColumnError
    )
    await expect(compare('user_id\n1\n', 'amplitude_id,user_id\n1,1\n', 'amplitude_id')).rejects.toThrow(
      "the baseline file has no column 'amplitude_id'"
    )
  })

  it('a larger file: in key order, one pass; shuffled, over several buckets; the same change files either way', async () => {
    const row = (i: number, plan: string) => `${i},${'x'.repeat(200)},${plan}\n`
    const base = Array.from({ length: 60_000 }, (_, i) => row(i, 'free'))
    const next = Array.from({ length: 60_500 }, (_, k) =>
      row(1000 + k, (1000 + k) % 100 === 0 ? 'pro' : 'free')
    )
    // Each file in an order of its own (a stride prime to its length), so the new file's order is no help either.
    const shuffle = (rows: string[], stride: number) => rows.map((_, i) => rows[(i * stride) % rows.length])
    const header = 'amplitude_id,pad,plan\n'
    const sorted = await compare(header + base.join(''), header + next.join(''))
    const shuffled = await compare(
      header + shuffle(base, 7919).join(''),
      header + shuffle(next, 7901).join('')
    )
    const expected = { entering: 1500, exiting: 1000, changed: 590, baselineMembers: 60_000 }
    expect(sorted.result).toMatchObject({ ...expected, method: 'merge' })
    // 25 MB in all: two buckets at least.
    expect(shuffled.result).toMatchObject({ ...expected, method: 'hash' })
    // Byte for byte and in each file's own order: the runs of every bucket, on both threads, merged by row number.
    const only = (rows: string[], test: (id: number) => boolean) =>
      header + rows.filter(r => test(Number(r.slice(0, r.indexOf(','))))).join('')
    for (const [run, oldRows, newRows] of [
      [sorted, base, next],
      [shuffled, shuffle(base, 7919), shuffle(next, 7901)]
    ] as const) {
      expect(run.entering).toBe(only(newRows, id => id >= 60_000))
      expect(run.exiting).toBe(only(oldRows, id => id < 1000))
      expect(run.changed).toBe(only(newRows, id => id < 60_000 && id % 100 === 0))
    }
  })

  it('files in key order up to their last row fall back to the hash join, with no scratch file left', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1},p${i % 3}\n`)
    const base = rows(5000)
    const next = rows(5100)
    // The last row of the new file out of order.
    next.push('7,late\n')
    const { result, dir, skipped } = await compare(
      `amplitude_id,p\n${base.join('')}`,
      `amplitude_id,p\n${next.join('')}`
    )
    expect(result).toMatchObject({
      method: 'hash',
      entering: 100,
      exiting: 0,
      changed: 0,
      skipped: 1,
      duplicateKeys: { baseline: 0, current: 1 }
    })
    // The repeat, found by the hash join (the one-pass walk gave up at it), under the header.
    expect(skipped).toBe('amplitude_id,p\n7,late\n')
    expect(readdirSync(dir).sort()).toEqual([
      'base.csv',
      'new.changed.csv',
      'new.csv',
      'new.entering.csv',
      'new.exiting.csv',
      'new.skipped.csv'
    ])
  })

  it('orders whole numbers by value and other keys byte by byte, repeats next to each other', async () => {
    const { result, entering } = await compare(
      'amplitude_id\n9\n10\n10\n011\nA\nb\n',
      'amplitude_id\n8\n9\n100\n011\n011\nB\nb\n'
    )
    expect(result).toMatchObject({
      method: 'merge',
      entering: 3,
      exiting: 2,
      duplicateKeys: { baseline: 1, current: 1 }
    })
    expect(entering).toBe('amplitude_id\n8\n100\nB\n')
  })
})

describe('compareMemberships: keys and column names are bytes', () => {
  const bytes = (...parts: (string | number[] | Buffer)[]) =>
    Buffer.concat(parts.map(p => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))))

  it('two different invalid UTF-8 sequences in quoted keys are two members', async () => {
    // Decoded as text, both would be U+FFFD.
    const base = bytes('amplitude_id,p\n"', [0xff], '",a\n')
    const next = bytes('amplitude_id,p\n"', [0xfe], '",a\n')
    for (const sorted of [true, false]) {
      const pad = sorted ? '' : 'z,0\ny,0\n'
      const { result, entering, exiting } = await compare(bytes(base, pad), bytes(next, pad))
      expect(result).toMatchObject({ method: sorted ? 'merge' : 'hash', entering: 1, exiting: 1, changed: 0 })
      expect(entering).toBe(`amplitude_id,p\n"\xfe",a\n`)
      expect(exiting).toBe(`amplitude_id,p\n"\xff",a\n`)
    }
  })

  it('the quoted and bare forms of a key are one key, also with bytes that are not UTF-8', async () => {
    const base = bytes('amplitude_id,p\n7,a\n', [0xe9], ',a\n"a""b",a\nx,a\n')
    const next = bytes('amplitude_id,p\n"7",a\n"', [0xe9], '",a\n"a""b",a\n"x",b\n')
    const { result, changed } = await compare(base, next)
    expect(result).toMatchObject({ entering: 0, exiting: 0 })
    // The rows differ in their bytes (quotes added): changed, as tonight.
    expect(changed).toBe('amplitude_id,p\n"7",a\n"\xe9",a\n"x",b\n')
  })

  it('a byte order mark before either header is not part of the first column name', async () => {
    const bom = [0xef, 0xbb, 0xbf]
    const { result, entering, exiting } = await compare(
      bytes(bom, 'amplitude_id,p\n1,a\n2,a\n'),
      bytes('amplitude_id,p\n2,a\n3,a\n')
    )
    expect(result).toMatchObject({ entering: 1, exiting: 1, changed: 0, columns: { differ: false } })
    expect(entering).toBe('amplitude_id,p\n3,a\n')
    // Each file's header as it is.
    expect(exiting).toBe('\xef\xbb\xbfamplitude_id,p\n1,a\n')
    const quoted = await compare('amplitude_id\n1\n', bytes(bom, '"amplitude_id"\n1\n2\n'))
    expect(quoted.result).toMatchObject({ entering: 1, columns: { differ: false } })
    expect(quoted.entering).toBe('\xef\xbb\xbf"amplitude_id"\n2\n')
  })

  it('column names compare as raw bytes, name by name', async () => {
    // Joined with NUL, both lists would read the same.
    const { result } = await compare('amplitude_id,"a\u0000b"\n1,x\n', 'amplitude_id,a,b\n1,x\n')
    expect(result.columns).toEqual({ differ: true, added: ['a', 'b'], removed: ['a\u0000b'] })
  })
})

describe('compareMemberships: the longest record', () => {
  it.each([
    ['baseline', 'in key order'],
    ['baseline', 'out of order'],
    ['current', 'in key order'],
    ['current', 'out of order']
  ] as const)('a record over the limit in the %s file (%s) fails naming that file', async (file, order) => {
    const rows = order === 'in key order' ? '1,a\n2,a\n' : '2,a\n1,a\n'
    const long = `3,"${'x'.repeat(5000)}"\n`
    const plain = `amplitude_id,p\n${rows}`
    const [base, next] = file === 'baseline' ? [plain + long, plain] : [plain, plain + long]
    const attempt = compare(base, next, 'amplitude_id', { maxRecordBytes: 4096 })
    await expect(attempt).rejects.toBeInstanceOf(RecordTooLargeError)
    await expect(attempt).rejects.toMatchObject({ file, limit: 4096 })
  })
})

describe('compareMemberships: one at a time', () => {
  it('a small comparison started second finishes after a large one started first', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1},p\n`).join('')
    const finished: string[] = []
    // Comparisons wait for each other in the scheduler, beside Amplitude's limits.
    const scheduler = new Scheduler(AMPLITUDE_LIMITS, systemClock)
    const inTurn = (baseline: string, current: string) =>
      compare(baseline, current, 'amplitude_id', { scheduler })
    // The large one yields to the event loop many times on the way; the small one would finish during the first.
    await Promise.all([
      inTurn(`amplitude_id,p\n${rows(300_000)}`, `amplitude_id,p\n${rows(300_001)}`).then(() =>
        finished.push('large')
      ),
      inTurn('amplitude_id,p\n1,p\n', 'amplitude_id,p\n2,p\n').then(() => finished.push('small'))
    ])
    expect(finished).toEqual(['large', 'small'])
  })
})

describe('compareMemberships: cancelled', () => {
  const rows = (ids: number[]) => ids.map(id => `${id},${'p'.repeat(40)}\n`).join('')
  const ids = Array.from({ length: 300_000 }, (_, i) => i + 1)

  /** Starts a comparison with `signal`, as if change files of an earlier export were there (they must go too). */
  const scheduler = new Scheduler(AMPLITUDE_LIMITS, systemClock)
  function start(base: string, next: string, signal: AbortSignal) {
    const started = startComparing(base, next, 'amplitude_id', { signal, scheduler })
    for (const file of Object.values(started.out)) writeFileSync(file, 'amplitude_id,p\nstale,row\n')
    started.comparison.catch(() => undefined)
    return started
  }

  /** Waits, a turn of the event loop at a time, until `condition` holds (the comparison is under way). */
  async function until(condition: () => boolean) {
    while (!condition()) await new Promise(resolve => setImmediate(resolve))
  }

  it.each([
    [
      'in key order (the one-pass walk)',
      false,
      (dir: string) => existsSync(join(dir, 'new.entering.csv.partial'))
    ],
    [
      'out of order (the hash join, scratch files on disk)',
      true,
      (dir: string) => readdirSync(dir).some(f => f.startsWith('.compare-'))
    ]
  ])(
    '%s: stops with the reason, leaving no change file, partial file or scratch file',
    async (_, shuffled, underWay) => {
      const controller = new AbortController()
      const order = shuffled ? [...ids].reverse() : ids
      const { dir, comparison } = start(
        `amplitude_id,p\n${rows(order)}`,
        `amplitude_id,p\n${rows(order.slice(1))}`,
        controller.signal
      )
      await until(() => underWay(dir))
      const reason = new CancelledError('the run was cancelled (SIGTERM)')
      controller.abort(reason)
      await expect(comparison).rejects.toBe(reason)
      expect(readdirSync(dir).sort()).toEqual(['base.csv', 'new.csv'])
    }
  )

  it('a comparison waiting for another one is cancelled without waiting for it', async () => {
    const settled: string[] = []
    const first = start(
      `amplitude_id,p\n${rows(ids)}`,
      `amplitude_id,p\n${rows(ids)}`,
      new AbortController().signal
    )
    const controller = new AbortController()
    const second = start('amplitude_id,p\n1,a\n', 'amplitude_id,p\n2,a\n', controller.signal)
    void first.comparison.then(() => settled.push('first'))
    void second.comparison.catch(() => settled.push('second'))
    controller.abort(new CancelledError())
    await expect(second.comparison).rejects.toBeInstanceOf(CancelledError)
    await first.comparison
    expect(settled).toEqual(['second', 'first'])
    expect(readdirSync(second.dir).sort()).toEqual(['base.csv', 'new.csv'])
  })
})

describe('firstExport', () => {
  it('every member enters: the entering file is the membership file, the others hold its header only', async () => {
    const dir = mkdtempSync(join(root, 'first-'))
    const file = join(dir, 'm.csv')
    writeFileSync(file, 'amplitude_id,p\r\n1,"a\nb"\r\n2,c')
    const out = {
      entering: join(dir, 'e.csv'),
      exiting: join(dir, 'x.csv'),
      changed: join(dir, 'c.csv'),
      skipped: join(dir, 's.csv')
    }
    await firstExport(file, out)
    expect(readFileSync(out.entering, 'utf8')).toBe(readFileSync(file, 'utf8'))
    expect(readFileSync(out.exiting, 'utf8')).toBe('amplitude_id,p\r\n')
    expect(readFileSync(out.changed, 'utf8')).toBe('amplitude_id,p\r\n')
    expect(readFileSync(out.skipped, 'utf8')).toBe('amplitude_id,p\r\n')
  })
})
