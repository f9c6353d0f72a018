import { describe, expect, it } from '@jest/globals'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { CsvRecordCounter } from '../../src/amplitude/row-counter.js'
import { csvText } from '../support/csv-arbitrary.js'

/** Counts records by feeding `text` split at `cuts` (to cross chunk boundaries anywhere). */
function count(text: string, cuts: number[] = []): { records: number; complete: boolean } {
  const bytes = Buffer.from(text)
  const counter = new CsvRecordCounter()
  let start = 0
  for (const cut of [...new Set(cuts)].filter(c => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    counter.push(bytes.subarray(start, cut))
    start = cut
  }
  counter.push(bytes.subarray(start))
  const complete = counter.end()
  return { records: counter.records, complete }
}

/** The oracle: csv-parse, the full RFC 4180 parser, skipping empty lines like the counter does. */
function oracle(text: string): number {
  return (parse(text, { relax_column_count: true, skip_empty_lines: true }) as unknown[]).length
}

describe('CsvRecordCounter', () => {
  it.each([
    ['', 0],
    ['a,b\n', 1],
    ['a,b', 1],
    ['a,b\n1,2\n3,4\n', 3],
    ['a,b\r\n1,2\r\n', 2],
    ['a,b\n\n1,2\n\n', 2],
    ['a,b\n1,"x\ny"\n2,z\n', 3],
    ['a,b\n1,"say ""hi""\nthere"\n', 2],
    ['a\n""\n', 2],
    ['a\n"",""\n"\n"\n', 3]
  ])('%j has %i records', (text, records) => {
    expect(count(text).records).toBe(records)
    expect(oracle(text)).toBe(records)
  })

  it('reports a file that ends inside a quoted field as incomplete', () => {
    expect(count('a,b\n1,"unterminated\n').complete).toBe(false)
    expect(count('a,b\n1,"ok"\n').complete).toBe(true)
  })

  it('agrees with csv-parse on generated CSV, however the stream is chunked', () => {
    fc.assert(
      fc.property(csvText(), fc.array(fc.nat(400), { maxLength: 6 }), (text, cuts) => {
        const { records, complete } = count(text, cuts)
        expect(complete).toBe(true)
        expect(records).toBe(oracle(text))
      }),
      { numRuns: 500 }
    )
  })
})
