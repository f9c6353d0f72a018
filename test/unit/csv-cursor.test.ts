import { afterAll, describe, expect, it } from '@jest/globals'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CsvCursor } from '../../src/csv/csv-cursor.js'
import { InvalidFileError, RecordTooLargeError } from '../../src/errors.js'
import { csvText } from '../support/csv-arbitrary.js'

const root = mkdtempSync(join(tmpdir(), 'cursor-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0

/** The records a cursor with a buffer of `size` bytes reads from `text`, as strings. */
function cursorRecords(text: string, size: number): string[] {
  const file = join(root, `f${++n}.csv`)
  writeFileSync(file, text)
  const cursor = new CsvCursor(file, { bufferSize: size })
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

describe('CsvCursor: the longest record', () => {
  it('reads records up to the limit, refuses a longer one, and never grows its buffer past the limit', () => {
    const file = join(root, `f${++n}.csv`)
    const limit = 1000
    // A record of exactly the limit (terminator included), then one that goes on and on inside quotes.
    const fits = `"${'a'.repeat(limit - 3)}"\n`
    writeFileSync(file, `h\n${fits}"${'b'.repeat(50 * limit)}"\n`)
    const cursor = new CsvCursor(file, { bufferSize: 64, maxRecordBytes: limit, file: 'baseline' })
    try {
      expect(cursor.next()).toBe(true)
      expect(cursor.next()).toBe(true)
      expect(cursor.end - cursor.start).toBe(limit)
      let error: unknown
      try {
        cursor.next()
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(RecordTooLargeError)
      expect(error).toMatchObject({ file: 'baseline', limit })
      expect(cursor.capacity).toBeLessThanOrEqual(limit + 64)
    } finally {
      cursor.close()
    }
  })

  it('refuses a last record over the limit without a line terminator', () => {
    const file = join(root, `f${++n}.csv`)
    writeFileSync(file, `h\n${'x'.repeat(101)}`)
    const cursor = new CsvCursor(file, { bufferSize: 16, maxRecordBytes: 100 })
    try {
      expect(cursor.next()).toBe(true)
      expect(() => cursor.next()).toThrow(RecordTooLargeError)
    } finally {
      cursor.close()
    }
  })
})
