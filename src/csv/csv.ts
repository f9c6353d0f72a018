// CSV records (RFC 4180) as the exact bytes of the file, line terminator included (csv-cursor.ts reads them), so rows
// can be copied byte for byte: single fields read without parsing the rest, and records compared.
import { CsvCursor } from './csv-cursor.js'

const QUOTE = 0x22
const COMMA = 0x2c
const LF = 0x0a
const CR = 0x0d

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

/** The UTF-8 byte order mark a spreadsheet may write before the header: not part of the first column's name. */
const BOM = [0xef, 0xbb, 0xbf]

/** Where a record's first field starts: after a byte order mark, if the record starts with one. */
function afterBom(buffer: Buffer, start: number, end: number): number {
  return end - start >= 3 &&
    buffer[start] === BOM[0] &&
    buffer[start + 1] === BOM[1] &&
    buffer[start + 2] === BOM[2]
    ? start + 3
    : start
}

/**
 * The column names of a header record as raw bytes, unquoted (no text decoding: two names are the same when their
 * bytes are); a byte order mark before the first is not part of it.
 */
export function headerNames(buffer: Buffer, start: number, end: number): Buffer[] {
  const names: Buffer[] = []
  const stop = contentEnd(buffer, start, end)
  const into = { bytes: Buffer.alloc(0) }
  let i = afterBom(buffer, start, stop)
  for (;;) {
    const [length, next] = readField(buffer, i, stop, into)
    names.push(Buffer.from(into.bytes.subarray(0, length)))
    if (next >= stop) return names
    i = next + 1
  }
}

/** The column names of a header record, as text (for messages and the manifest). */
export function parseFields(buffer: Buffer, start: number, end: number): string[] {
  return headerNames(buffer, start, end).map(name => name.toString('utf8'))
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

/**
 * Field `index` of a record as raw bytes, unquoted (`""` inside quotes is one quote; no text decoding), copied to
 * `into.bytes` (replaced by a larger buffer when too small); returns its length, or -1 when the record has fewer
 * fields.
 */
export function fieldBytes(
  buffer: Buffer,
  start: number,
  end: number,
  index: number,
  into: { bytes: Buffer }
): number {
  const stop = contentEnd(buffer, start, end)
  let i = start
  for (let k = 0; ; k++) {
    if (i > stop) return -1
    const [length, next] = readField(buffer, i, stop, k === index ? into : undefined)
    if (k === index) return length
    if (next >= stop) return -1
    i = next + 1
  }
}

/**
 * Reads the field starting at `i`: copies its unquoted bytes to `into` when given; returns their length and the
 * position of the comma (or `stop`) after the field.
 */
function readField(buffer: Buffer, i: number, stop: number, into?: { bytes: Buffer }): [number, number] {
  let length = 0
  const copy = (from: number, to: number): void => {
    if (!into || to <= from) return
    if (length + to - from > into.bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(64, 2 * (length + to - from)))
      into.bytes.copy(larger, 0, 0, length)
      into.bytes = larger
    }
    buffer.copy(into.bytes, length, from, to)
    length += to - from
  }
  const comma = (from: number): number => {
    const at = buffer.indexOf(COMMA, from)
    return at === -1 || at > stop ? stop : at
  }
  if (buffer[i] !== QUOTE) {
    const next = comma(i)
    copy(i, next)
    return [length, next]
  }
  let from = i + 1
  for (;;) {
    const q = buffer.indexOf(QUOTE, from)
    if (q === -1 || q >= stop) {
      copy(from, stop)
      return [length, stop]
    }
    // Up to the quote; an escaped pair ("") keeps its second quote for the next part.
    if (buffer[q + 1] === QUOTE && q + 1 < stop) {
      copy(from, q + 1)
      from = q + 2
      continue
    }
    // After the closing quote: up to the next comma (anything in between is kept, as lenient parsers do).
    const next = comma(q + 1)
    copy(from, q)
    copy(q + 1, next)
    return [length, next]
  }
}

/** The header record of a CSV file (with a line terminator), read without reading the rest. */
export async function headerOf(path: string): Promise<Buffer> {
  const cursor = new CsvCursor(path, { bufferSize: 64 << 10 })
  try {
    if (!cursor.next()) return Buffer.alloc(0)
    const header = Buffer.from(cursor.buffer.subarray(cursor.start, cursor.end))
    return header[header.length - 1] === LF ? header : Buffer.concat([header, Buffer.from('\n')])
  } finally {
    cursor.close()
  }
}
