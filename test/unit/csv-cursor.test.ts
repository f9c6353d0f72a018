import { afterAll, describe, expect, it } from '@jest/globals'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CsvCursor } from '../../src/csv-cursor.js'
import { InvalidFileError } from '../../src/errors.js'
import { csvText } from '../support/csv-arbitrary.js'

const root = mkdtempSync(join(tmpdir(), 'cursor-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0

/** The records a cursor with a buffer of `size` bytes reads from `text`, as strings. */
function cursorRecords(text: string, size: number): string[] {
  const file = join(root, `f${++n}.csv`)
  writeFileSync(file, text)
  const cursor = new CsvCursor(file, size)
  try {
    const records: string[] = []
    while (cursor.next()) records.push(cursor.buffer.toString('utf8', cursor.start, cursor.end))
    return records
  } finally {
    cursor.close()
  }
}

/**
 * Checks that `records` are the text itself, in order and byte for byte, with nothing left out but blank lines
 * (lines of only CR and LF) between them and at the ends.
 */
function expectCovering(text: string, records: string[]): void {
  let at = 0
  for (const record of records) {
    at += /^(?:\r*\n)*/.exec(text.slice(at))![0].length
    expect(text.slice(at, at + record.length)).toBe(record)
    at += record.length
  }
  expect(text.slice(at)).toMatch(/^(?:\r*\n)*\r*$/)
}

describe('CsvCursor', () => {
  it('reads the file record by record, byte for byte, whatever its buffer size; csv-parse agrees', () => {
    fc.assert(
      fc.property(csvText({ blankLines: true }), fc.integer({ min: 1, max: 64 }), (text, size) => {
        const records = cursorRecords(text, size)
        expectCovering(text, records)
        // Each record parses on its own to the record csv-parse finds in the whole file.
        const whole = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][]
        expect(records.map(r => (parse(r, { relax_column_count: true }) as string[][])[0])).toEqual(whole)
      }),
      { numRuns: 300 }
    )
  })

  it('reads a last record without a line terminator, and skips blank lines', () => {
    expect(cursorRecords('a,b\r\n\r\n\n1,"x\ny"\n2,z', 4)).toEqual(['a,b\r\n', '1,"x\ny"\n', '2,z'])
    expect(cursorRecords('', 4)).toEqual([])
  })

  it('refuses a file that ends inside a quoted field', () => {
    expect(() => cursorRecords('a,b\n1,"unterminated\n', 8)).toThrow(InvalidFileError)
  })
})
