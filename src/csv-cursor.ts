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
/** Before a search: the position is not known (it lay past the data read so far). */
const UNKNOWN = -2

export class CsvCursor {
  /** The data read so far, from the current record's start on; the record is `buffer[start, end)`. */
  buffer: Buffer
  start = 0
  end = 0
  private storage: Buffer
  private readonly fd: number
  private eof = false
  /** The next quote and line feed at or after the scan position; -1 when the data read has none. */
  private quote = UNKNOWN
  private lf = UNKNOWN

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
    while (this.scan()) {
      if (!isBlank(this.buffer, this.start, this.end)) return true
    }
    return false
  }

  private scan(): boolean {
    let start = this.end
    let i = start
    let inQuotes = false
    // The next quote and line feed, in locals while scanning (kept in the fields between calls).
    let quote = this.quote
    let lf = this.lf
    for (;;) {
      const data = this.buffer
      const n = data.length
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
        this.quote = quote
        this.lf = lf
        this.start = start
        this.end = lf + 1
        return true
      }
      const more = this.fill(start)
      // The data moved: from `start` to 0.
      i -= start
      quote = quote >= start ? quote - start : UNKNOWN
      lf = lf >= start ? lf - start : UNKNOWN
      start = 0
      if (!more) {
        this.quote = quote
        this.lf = lf
        if (inQuotes) throw new InvalidFileError(`${this.path} ends inside a quoted CSV field`)
        if (this.buffer.length === 0) return false
        // The last record, without a line terminator.
        this.start = 0
        this.end = this.buffer.length
        return true
      }
    }
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
