import { closeSync, openSync, readSync } from 'node:fs'
import { InvalidFileError } from './errors.js'

/**
 * A CSV file read one record at a time, on demand (RFC 4180): a line break inside a quoted field does not end a
 * record, and blank lines are not records. The current record is `buffer[start, end)`, the exact bytes of the file
 * with its line terminator; it stays valid until the next call of next(). One buffer, grown only for a record larger
 * than half of it. Scans with Buffer.indexOf (native memchr), as CsvRecordCounter does.
 */
const QUOTE = 0x22
const LF = 0x0a
const CR = 0x0d

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

  constructor(
    private readonly path: string,
    size = 1 << 20
  ) {
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
      if (!isBlank(this.buffer, 0, this.end)) return true
    }
  }

  /** Finds the ends of the records in the data not scanned yet (RFC 4180 quoting, as CsvRecordCounter). */
  private scan(): void {
    const data = this.buffer
    const n = data.length
    let i = this.scanned
    let inQuotes = this.inQuotes
    // The next quote and line feed at or after i; -1 when there is none. Each is searched again only once i has
    // passed it, so the data is scanned about once whatever its mix of quotes and lines.
    let quote = -2
    let lf = -2
    while (i < n) {
      if (quote !== -1 && quote < i) quote = data.indexOf(QUOTE, i)
      if (inQuotes) {
        if (quote === -1) break
        // A quote closes the field, unless it is the first of an escaped pair: the next pass opens it again.
        inQuotes = false
        i = quote + 1
        continue
      }
      if (lf !== -1 && lf < i) lf = data.indexOf(LF, i)
      if (quote !== -1 && (lf === -1 || quote < lf)) {
        inQuotes = true
        i = quote + 1
        continue
      }
      if (lf === -1) break
      if (this.found === this.ends.length) {
        const larger = new Int32Array(this.ends.length * 2)
        larger.set(this.ends)
        this.ends = larger
      }
      this.ends[this.found++] = lf + 1
      i = lf + 1
    }
    this.scanned = n
    this.inQuotes = inQuotes
  }

  /** Keeps the data from `from` on (moved to the start) and reads more after it; false at the end of the file. */
  private fill(from: number): boolean {
    const kept = this.buffer.length - from
    // A record longer than half the buffer: a larger one, so each read still brings at least half a buffer.
    if (kept > this.storage.length >> 1) {
      const larger = Buffer.allocUnsafe(this.storage.length * 2)
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
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buffer[i] !== LF && buffer[i] !== CR) return false
  return true
}
