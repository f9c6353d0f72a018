// The rows of a membership file with their keys, as both ways of comparing read them (merge-join.ts, spread.ts): the
// header and the key column's index, then each row whose key is not empty, with the key's bytes. Rows with an empty
// key (or too few fields) are counted and skipped (handed to `skip` when set): they cannot be matched.
//
// A key is bytes: the field's raw bytes once unquoted, never decoded as text, so `"7"` and `7` are one key and two
// different invalid UTF-8 sequences are two. Column names are bytes too (a byte order mark before the header is not
// part of the first).
import { MissingKeyColumnError } from '../errors.js'
import { CsvCursor } from '../csv/csv-cursor.js'
import { fieldBytes, fieldRange, headerNames } from '../csv/csv.js'

export class KeyedRows {
  readonly cursor: CsvCursor
  /** The header record, line terminator included, and its fields. */
  readonly header: Buffer
  /** The column names as raw bytes, and as text (for messages). */
  readonly names: Buffer[]
  readonly columns: string[]
  private readonly keyIndex: number
  /** The current row's key: `keyBuffer[keyStart, keyEnd)` (the row itself is the cursor's record). */
  keyBuffer: Buffer = Buffer.alloc(0)
  keyStart = 0
  keyEnd = 0
  /** The current row's number among the data rows (0 for the first after the header). */
  row = -1
  emptyKeys = 0
  /** Called with each row that cannot be matched (the cursor on it): here, each row with an empty key. */
  skip: ((rows: KeyedRows) => void) | undefined
  private readonly range = [0, 0]
  /** Where a quoted key is unquoted to. */
  private readonly unquoted = { bytes: Buffer.alloc(64) }

  /**
   * Opens `path` and reads its header; throws MissingKeyColumnError when it has no column `key` (and, as it reads on,
   * RecordTooLargeError for a record over `maxRecordBytes`).
   */
  constructor(path: string, file: 'baseline' | 'current', key: string, maxRecordBytes?: number) {
    const cursor = new CsvCursor(path, { file, maxRecordBytes })
    try {
      const found = cursor.next()
      this.header = found ? Buffer.from(cursor.buffer.subarray(cursor.start, cursor.end)) : Buffer.alloc(0)
      this.names = found ? headerNames(cursor.buffer, cursor.start, cursor.end) : []
      this.columns = this.names.map(name => name.toString('utf8'))
      const keyBytes = Buffer.from(key, 'utf8')
      this.keyIndex = this.names.findIndex(name => name.equals(keyBytes))
      if (this.keyIndex < 0) throw new MissingKeyColumnError(file, key, this.columns)
    } catch (error) {
      cursor.close()
      throw error
    }
    this.cursor = cursor
  }

  /** Moves to the next row with a non-empty key; false at the end of the file. */
  next(): boolean {
    const { cursor, range, keyIndex } = this
    while (cursor.next()) {
      this.row++
      const buffer = cursor.buffer
      const found = fieldRange(buffer, cursor.start, cursor.end, keyIndex, range)
      if (found === 'quoted') {
        const { unquoted } = this
        const length = fieldBytes(buffer, cursor.start, cursor.end, keyIndex, unquoted)
        this.keyBuffer = unquoted.bytes
        this.keyStart = 0
        this.keyEnd = Math.max(0, length)
      } else {
        this.keyBuffer = buffer
        this.keyStart = range[0]
        this.keyEnd = range[1]
      }
      if (found !== 'missing' && this.keyStart < this.keyEnd) return true
      this.emptyKeys++
      this.skip?.(this)
    }
    return false
  }

  close(): void {
    this.cursor.close()
  }
}

/** How two lists of column names (raw bytes) differ, name by name: the names added and removed, as text. */
export interface ColumnChanges {
  differ: boolean
  added: string[]
  removed: string[]
}

export function columnChanges(base: readonly Uint8Array[], next: readonly Uint8Array[]): ColumnChanges {
  const differ = base.length !== next.length || base.some((name, i) => Buffer.compare(name, next[i]) !== 0)
  // latin1: one character a byte, so names are compared as their bytes.
  const key = (name: Uint8Array): string => Buffer.from(name).toString('latin1')
  const text = (name: Uint8Array): string => Buffer.from(name).toString('utf8')
  const had = new Set(base.map(key))
  const has = new Set(next.map(key))
  return {
    differ,
    added: next.filter(name => !had.has(key(name))).map(text),
    removed: base.filter(name => !has.has(key(name))).map(text)
  }
}
