import { CsvCursor } from './csv-cursor.js'

/**
 * CSV records (RFC 4180) as the exact bytes of the file, line terminator included (csv-cursor.ts reads them), so rows
 * can be copied byte for byte: single fields read without parsing the rest, and records compared.
 */
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

/** The header record of a CSV file (with a line terminator), read without reading the rest. */
export async function headerOf(path: string): Promise<Buffer> {
  const cursor = new CsvCursor(path, 64 << 10)
  try {
    if (!cursor.next()) return Buffer.alloc(0)
    const header = Buffer.from(cursor.buffer.subarray(cursor.start, cursor.end))
    return header[header.length - 1] === LF ? header : Buffer.concat([header, Buffer.from('\n')])
  } finally {
    cursor.close()
  }
}
