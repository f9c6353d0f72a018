import { closeSync, openSync, readSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { InvalidFileError } from './errors.js'

/**
 * Streaming CSV records (RFC 4180): splits a byte stream into whole records, each handed over as the exact bytes of
 * the file (line terminator included), so rows can be copied byte for byte; reads single fields without parsing the
 * rest. A line break inside a quoted field does not end a record; blank lines are not records. Scans with
 * Buffer.indexOf (native memchr), as CsvRecordCounter does.
 */
const QUOTE = 0x22
const COMMA = 0x2c
const LF = 0x0a
const CR = 0x0d
const READ_BUFFER = 1 << 20

/** A record's bytes are `buffer[start, end)`, its line terminator included; `quoted` when it holds a quote. */
export type RecordHandler = (buffer: Buffer, start: number, end: number, quoted: boolean) => void

export class CsvRecordSplitter {
  private inQuotes = false
  /** Whether the current record has a quote so far. */
  private quoted = false
  /** The start of the current record, when it began in an earlier chunk. */
  private pending: Buffer[] = []

  constructor(private readonly onRecord: RecordHandler) {}

  push(chunk: Buffer): void {
    const n = chunk.length
    let start = 0
    let i = 0
    let lf = -2
    let q = -2
    while (i < n) {
      if (q !== -1 && q < i) q = chunk.indexOf(QUOTE, i)
      if (this.inQuotes) {
        if (q === -1) break
        // A quote closes the field, unless it is the first of an escaped pair: the next pass opens it again.
        this.inQuotes = false
        i = q + 1
        continue
      }
      if (lf !== -1 && lf < i) lf = chunk.indexOf(LF, i)
      if (q !== -1 && (lf === -1 || q < lf)) {
        this.inQuotes = true
        this.quoted = true
        i = q + 1
        continue
      }
      if (lf === -1) break
      this.emit(chunk, start, lf + 1)
      start = i = lf + 1
    }
    // Copied: the caller may reuse `chunk` for its next read.
    if (start < n) this.pending.push(Buffer.from(chunk.subarray(start)))
  }

  /** Ends the input; returns false when it ends inside a quoted field (cut short or malformed). */
  end(): boolean {
    if (this.pending.length > 0) {
      const last = Buffer.concat(this.pending)
      this.pending = []
      if (!isBlank(last, 0, last.length)) this.onRecord(last, 0, last.length, this.quoted)
    }
    return !this.inQuotes
  }

  private emit(chunk: Buffer, start: number, end: number): void {
    let buffer = chunk
    if (this.pending.length > 0) {
      buffer = Buffer.concat([...this.pending, chunk.subarray(start, end)])
      this.pending = []
      start = 0
      end = buffer.length
    }
    const quoted = this.quoted
    this.quoted = false
    if (!isBlank(buffer, start, end)) this.onRecord(buffer, start, end, quoted)
  }
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buffer[i] !== LF && buffer[i] !== CR) return false
  return true
}

/** The end of a record's content: before its line terminator (LF or CRLF). */
export function contentEnd(buffer: Buffer, start: number, end: number): number {
  let e = end
  if (e > start && buffer[e - 1] === LF) e--
  if (e > start && buffer[e - 1] === CR) e--
  return e
}

/** Two records are the same once line endings are normalised (CRLF = LF; a missing last one too). */
export function sameRecord(
  x: Buffer,
  xStart: number,
  xEnd: number,
  y: Buffer,
  yStart: number,
  yEnd: number
): boolean {
  xEnd = contentEnd(x, xStart, xEnd)
  yEnd = contentEnd(y, yStart, yEnd)
  const length = xEnd - xStart
  if (length === yEnd - yStart) {
    if (length > 128) {
      if (x.compare(y, yStart, yEnd, xStart, xEnd) === 0) return true
    } else {
      // Byte by byte: most rows are short, and a native compare costs more to call than this loop takes.
      let k = 0
      while (k < length && x[xStart + k] === y[yStart + k]) k++
      if (k === length) return true
    }
  }
  // Searched within the record only: the buffer may go on for megabytes.
  const hasCr = (buffer: Buffer, start: number, end: number): boolean =>
    buffer.subarray(start, end).includes(CR)
  if (!hasCr(x, xStart, xEnd) && !hasCr(y, yStart, yEnd)) return false
  const lf = (buffer: Buffer, start: number, end: number): string =>
    buffer.toString('latin1', start, end).replace(/\r\n/g, '\n')
  return lf(x, xStart, xEnd) === lf(y, yStart, yEnd)
}

/** Every field of a record, unquoted (for the header). */
export function parseFields(buffer: Buffer, start: number, end: number): string[] {
  const fields: string[] = []
  const stop = contentEnd(buffer, start, end)
  let i = start
  for (;;) {
    const [value, next] = readField(buffer, i, stop)
    fields.push(value)
    if (next >= stop) return fields
    i = next + 1
  }
}

/**
 * Where field `index` of a record lies when no quote comes before its end (most rows: then its bytes are the value).
 * Returns 'range' with `range` set to [start, end), 'missing' when the record has fewer fields, or 'quoted' when a
 * quote comes first (use fieldAt). Scans byte by byte: a key is mostly one of the first, short fields, where a native
 * search costs more to call than this loop takes.
 */
export function fieldRange(
  buffer: Buffer,
  start: number,
  end: number,
  index: number,
  range: number[]
): 'range' | 'missing' | 'quoted' {
  const stop = contentEnd(buffer, start, end)
  let from = start
  let field = 0
  for (let i = start; i < stop; i++) {
    const byte = buffer[i]
    if (byte === QUOTE) return 'quoted'
    if (byte !== COMMA) continue
    if (field === index) {
      range[0] = from
      range[1] = i
      return 'range'
    }
    field++
    from = i + 1
  }
  if (field !== index) return 'missing'
  range[0] = from
  range[1] = stop
  return 'range'
}

/** Field `index` of a record, unquoted; undefined when the record has fewer fields. */
export function fieldAt(buffer: Buffer, start: number, end: number, index: number): string | undefined {
  const stop = contentEnd(buffer, start, end)
  let i = start
  for (let k = 0; ; k++) {
    if (i > stop) return undefined
    const [value, next] = readField(buffer, i, stop)
    if (k === index) return value
    if (next >= stop) return undefined
    i = next + 1
  }
}

/** Reads the field starting at `i`; returns its value and the position of the comma (or `stop`) after it. */
function readField(buffer: Buffer, i: number, stop: number): [string, number] {
  if (buffer[i] !== QUOTE) {
    let comma = buffer.indexOf(COMMA, i)
    if (comma === -1 || comma > stop) comma = stop
    return [buffer.toString('utf8', i, comma), comma]
  }
  const parts: string[] = []
  let from = i + 1
  for (;;) {
    const q = buffer.indexOf(QUOTE, from)
    if (q === -1 || q >= stop) {
      parts.push(buffer.toString('utf8', from, stop))
      return [parts.join(''), stop]
    }
    parts.push(buffer.toString('utf8', from, q))
    if (buffer[q + 1] === QUOTE) {
      parts.push('"')
      from = q + 2
      continue
    }
    // After the closing quote: up to the next comma (anything in between is kept, as lenient parsers do).
    let comma = buffer.indexOf(COMMA, q + 1)
    if (comma === -1 || comma > stop) comma = stop
    parts.push(buffer.toString('utf8', q + 1, comma))
    return [parts.join(''), comma]
  }
}

/**
 * Streams a CSV file's records through one reused buffer: `onHeader` with the first, `onRow` with each data row and
 * its index. Rejects with InvalidFileError when the file ends inside a quoted field. Returns the number of data rows.
 */
export async function readCsv(
  path: string,
  onHeader: (buffer: Buffer, start: number, end: number) => void,
  onRow: (buffer: Buffer, start: number, end: number, quoted: boolean, row: number) => void
): Promise<number> {
  let row = -1
  const splitter = new CsvRecordSplitter((buffer, start, end, quoted) => {
    if (row < 0) onHeader(buffer, start, end)
    else onRow(buffer, start, end, quoted, row)
    row++
  })
  // Synchronous reads of one reused buffer (the file is mostly in the page cache: a hop through the thread pool per
  // chunk costs more than the read), yielding to the event loop every few MiB so a cancellation is still noticed.
  const fd = openSync(path, 'r')
  try {
    const chunk = Buffer.allocUnsafe(READ_BUFFER)
    for (let n = 1; ; n++) {
      const bytesRead = readSync(fd, chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      splitter.push(chunk.subarray(0, bytesRead))
      if (n % 16 === 0) await new Promise(resolve => setImmediate(resolve))
    }
  } finally {
    closeSync(fd)
  }
  if (!splitter.end()) throw new InvalidFileError(`${path} ends inside a quoted CSV field`)
  return Math.max(0, row)
}

/** The header record of a CSV file (with a line terminator), read without reading the rest. */
export async function headerOf(path: string): Promise<Buffer> {
  let header: Buffer | undefined
  const splitter = new CsvRecordSplitter((buffer, start, end) => {
    header ??= Buffer.from(buffer.subarray(start, end))
  })
  const file = await open(path)
  try {
    const chunk = Buffer.allocUnsafe(64 << 10)
    while (!header) {
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      splitter.push(chunk.subarray(0, bytesRead))
    }
  } finally {
    await file.close()
  }
  splitter.end()
  if (!header) return Buffer.alloc(0)
  return header[header.length - 1] === LF ? header : Buffer.concat([header, Buffer.from('\n')])
}
