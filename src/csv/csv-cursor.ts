// A CSV file read one record at a time, on demand (RFC 4180): a line break inside a quoted field does not end a
// record, and blank lines are not records. The current record is `buffer[start, end)`, the exact bytes of the file
// with its line terminator; it stays valid until the next call of next(). One buffer, grown only for a record larger
// than half of it, and never past the longest record allowed: a longer one (a file that is no membership file, or a
// gzip bomb of one giant field) throws RecordTooLargeError. Scans with Buffer.indexOf (native memchr), as
// CsvRecordCounter does.
import { closeSync, openSync, readSync } from 'node:fs'
import { InvalidFileError, RecordTooLargeError } from '../errors.js'
import { scanRecordEnds } from './scan.js'

const LF = 0x0a
const CR = 0x0d

/** The longest record read: a membership row is a few hundred bytes, a header a few kilobytes. */
export const MAX_RECORD_BYTES = 64 << 20

export interface CursorOptions {
  /** Which file it is, for the errors. */
  file?: 'baseline' | 'current'
  /** The buffer's first size. */
  bufferSize?: number
  maxRecordBytes?: number
}

export class CsvCursor {
  /** The data read so far, from the current record's start on; the record is `buffer[start, end)`. */
  buffer: Buffer
  start = 0
  end = 0
  private storage: Buffer
  private readonly fd: number
  private eof = false
  /**
   * The ends of the records found in the data read so far, after the current one: each read is scanned once, in
   * one tight loop, and next() hands the records out.
   */
  private ends = new Int32Array(1024)
  private found = 0
  private taken = 0
  /** Where the scan stopped (the data's end), and whether it stopped inside a quoted field. */
  private scanned = 0
  private inQuotes = false
  private readonly file: 'baseline' | 'current'
  private readonly maxRecord: number
  /** The largest the buffer grows: a record of the longest length, and room to read after it. */
  private readonly maxStorage: number

  constructor(
    private readonly path: string,
    options: CursorOptions = {}
  ) {
    const size = options.bufferSize ?? 1 << 20
    this.file = options.file ?? 'current'
    this.maxRecord = options.maxRecordBytes ?? MAX_RECORD_BYTES
    this.maxStorage = this.maxRecord + size
    this.storage = Buffer.allocUnsafe(size)
    this.buffer = this.storage.subarray(0, 0)
    this.fd = openSync(path, 'r')
  }

  close(): void {
    closeSync(this.fd)
  }

  /** Moves to the next record; false at the end of the file. Throws InvalidFileError when it ends inside quotes. */
  next(): boolean {
    for (;;) {
      while (this.taken < this.found) {
        this.start = this.end
        this.end = this.ends[this.taken++]
        if (this.end - this.start > this.maxRecord) this.tooLarge()
        if (!isBlank(this.buffer, this.start, this.end)) return true
      }
      // The records found are used up: keep the rest from the last one's end, read more, scan it.
      const from = this.end
      const more = this.fill(from)
      this.scanned -= from
      this.start = this.end = 0
      this.found = this.taken = 0
      if (more) {
        this.scan()
        continue
      }
      if (this.inQuotes) throw new InvalidFileError(`${this.path} ends inside a quoted CSV field`)
      // The last record, without a line terminator.
      if (this.buffer.length === 0) return false
      this.end = this.buffer.length
      if (this.end > this.maxRecord) this.tooLarge()
      if (!isBlank(this.buffer, 0, this.end)) return true
    }
  }

  /** Finds the ends of the records in the data not scanned yet (csv/scan.ts). */
  private scan(): void {
    this.inQuotes = scanRecordEnds(this.buffer, this.scanned, this.inQuotes, lf => {
      if (this.found === this.ends.length) {
        const larger = new Int32Array(this.ends.length * 2)
        larger.set(this.ends)
        this.ends = larger
      }
      this.ends[this.found++] = lf + 1
    })
    this.scanned = this.buffer.length
  }

  /** Keeps the data from `from` on (moved to the start) and reads more after it; false at the end of the file. */
  private fill(from: number): boolean {
    const kept = this.buffer.length - from
    // The record being read is already longer than allowed: it is not read any further.
    if (kept > this.maxRecord) this.tooLarge()
    // A record longer than half the buffer: a larger one (up to the largest), so each read still brings at least half
    // a buffer, or the first size at the largest.
    if (kept > this.storage.length >> 1 && this.storage.length < this.maxStorage) {
      const larger = Buffer.allocUnsafe(Math.min(this.storage.length * 2, this.maxStorage))
      this.storage.copy(larger, 0, from, from + kept)
      this.storage = larger
    } else if (from > 0) {
      this.storage.copy(this.storage, 0, from, from + kept)
    }
    const bytes = this.eof ? 0 : readSync(this.fd, this.storage, kept, this.storage.length - kept, null)
    if (bytes === 0) this.eof = true
    this.buffer = this.storage.subarray(0, kept + bytes)
    return bytes > 0
  }

  /** The buffer's size now (for tests: it never grows past the longest record allowed). */
  get capacity(): number {
    return this.storage.length
  }

  private tooLarge(): never {
    throw new RecordTooLargeError(this.file, this.maxRecord)
  }
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buffer[i] !== LF && buffer[i] !== CR) return false
  return true
}
