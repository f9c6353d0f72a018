import { closeSync, createReadStream, openSync, readFileSync, writeSync } from 'node:fs'
import { copyFile, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { contentEnd, CsvRecordSplitter, fieldAt, parseFields } from './csv.js'
import { InvalidFileError } from './errors.js'

/**
 * What changed between two membership files, matched by a key column, without holding either file in memory: both
 * files are spread over bucket files by a hash of the key; each bucket's baseline fits in memory and is matched
 * against the same bucket of the new file; a last pass over each source copies the entering, changed and exiting
 * rows, byte for byte and in source order, into the change files. Memory: one bucket and a byte per row.
 */
export interface ChangeFiles {
  entering: string
  exiting: string
  changed: string
}

export interface Comparison {
  entering: number
  exiting: number
  /** null when the two files' columns differ (no changed file is written then). */
  changed: number | null
  columnsDiffer: boolean
  /** Distinct non-empty keys in the baseline: the base of a `max-exiting` percentage. */
  baselineMembers: number
  emptyKeys: { baseline: number; current: number }
  duplicateKeys: { baseline: number; current: number }
}

/** A file has no column of that name. */
export class MissingKeyColumnError extends Error {
  constructor(
    readonly file: 'baseline' | 'current',
    readonly key: string
  ) {
    super(`the ${file === 'baseline' ? 'baseline' : 'new'} file has no column '${key}'`)
    this.name = 'MissingKeyColumnError'
  }
}

const BUCKET_BYTES = 16 << 20
const WRITE_BUFFER = 256 << 10
const READ_BUFFER = 1 << 20
const ENTERING = 1
const CHANGED = 2
const EXITING = 1

/** Writes through a fixed buffer: bounded memory whatever the disk's speed. */
class BufferedWriter {
  private readonly fd: number
  private readonly buffer = Buffer.allocUnsafe(WRITE_BUFFER)
  private used = 0

  constructor(path: string) {
    this.fd = openSync(path, 'w')
  }

  write(source: Buffer, start = 0, end = source.length): void {
    const length = end - start
    if (this.used + length > this.buffer.length) this.flush()
    if (length > this.buffer.length) {
      writeSync(this.fd, source, start, length)
      return
    }
    source.copy(this.buffer, this.used, start, end)
    this.used += length
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buffer, 0, this.used)
    this.used = 0
  }

  close(): void {
    try {
      this.flush()
    } finally {
      closeSync(this.fd)
    }
  }
}

interface Source {
  path: string
  file: 'baseline' | 'current'
  columns: string[]
  /** Data rows, header excluded. */
  rows: number
  emptyKeys: number
}

/** FNV-1a of a string: spreads keys over buckets. */
function hashKey(key: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * Streams a CSV file's records: `onHeader` with the first, `onRow` with each data row and its index. Rejects with
 * InvalidFileError when the file ends inside a quoted field.
 */
async function readCsv(
  path: string,
  onHeader: (buffer: Buffer, start: number, end: number) => void,
  onRow: (buffer: Buffer, start: number, end: number, row: number) => void
): Promise<number> {
  let row = -1
  const splitter = new CsvRecordSplitter((buffer, start, end) => {
    if (row < 0) onHeader(buffer, start, end)
    else onRow(buffer, start, end, row)
    row++
  })
  for await (const chunk of createReadStream(path, { highWaterMark: READ_BUFFER }))
    splitter.push(chunk as Buffer)
  if (!splitter.end()) throw new InvalidFileError(`${path} ends inside a quoted CSV field`)
  return Math.max(0, row)
}

/** Pass 1: every row with a non-empty key into the bucket of its key, as [row u32][key length u32][row length u32]. */
async function spread(source: Source, key: string, buckets: BufferedWriter[]): Promise<void> {
  let keyIndex = -1
  const head = Buffer.allocUnsafe(12)
  source.rows = await readCsv(
    source.path,
    (buffer, start, end) => {
      source.columns = parseFields(buffer, start, end)
      keyIndex = source.columns.indexOf(key)
      if (keyIndex < 0) throw new MissingKeyColumnError(source.file, key)
    },
    (buffer, start, end, row) => {
      const value = fieldAt(buffer, start, end, keyIndex)
      if (!value) {
        source.emptyKeys++
        return
      }
      const keyBytes = Buffer.from(value, 'utf8')
      head.writeUInt32LE(row, 0)
      head.writeUInt32LE(keyBytes.length, 4)
      head.writeUInt32LE(end - start, 8)
      const bucket = buckets[hashKey(value) % buckets.length]
      bucket.write(head)
      bucket.write(keyBytes)
      bucket.write(buffer, start, end)
    }
  )
  if (keyIndex < 0) throw new MissingKeyColumnError(source.file, key)
}

/** The records of a bucket file. */
function* bucketRecords(data: Buffer): Generator<{ row: number; key: string; start: number; end: number }> {
  let i = 0
  while (i < data.length) {
    const row = data.readUInt32LE(i)
    const keyLength = data.readUInt32LE(i + 4)
    const rowLength = data.readUInt32LE(i + 8)
    const keyStart = i + 12
    const start = keyStart + keyLength
    yield { row, key: data.toString('utf8', keyStart, start), start, end: start + rowLength }
    i = start + rowLength
  }
}

/** Two rows' bytes, line endings normalised (CRLF = LF; the last row's missing terminator does not count). */
function sameRow(a: Buffer, aStart: number, aEnd: number, b: Buffer, bStart: number, bEnd: number): boolean {
  const x = a.subarray(aStart, contentEnd(a, aStart, aEnd))
  const y = b.subarray(bStart, contentEnd(b, bStart, bEnd))
  if (x.equals(y)) return true
  if (!x.includes(0x0d) && !y.includes(0x0d)) return false
  const lf = (buffer: Buffer): string => buffer.toString('latin1').replace(/\r\n/g, '\n')
  return lf(x) === lf(y)
}

/** Pass 3: copies the rows whose mark is `mark[row] === wanted` (and the header) from a source to a change file. */
async function copyMarked(
  path: string,
  marks: Uint8Array,
  outputs: Map<number, BufferedWriter>
): Promise<void> {
  const terminate = (writer: BufferedWriter, buffer: Buffer, end: number): void => {
    if (buffer[end - 1] !== 0x0a) writer.write(Buffer.from('\n'))
  }
  await readCsv(
    path,
    (buffer, start, end) => {
      for (const writer of outputs.values()) {
        writer.write(buffer, start, end)
        terminate(writer, buffer, end)
      }
    },
    (buffer, start, end, row) => {
      const writer = outputs.get(marks[row])
      if (!writer) return
      writer.write(buffer, start, end)
      terminate(writer, buffer, end)
    }
  )
}

/** Compares `current` against `baseline` by the column `key`; writes the change files. */
export async function compareMemberships(
  current: string,
  baseline: string,
  key: string,
  out: ChangeFiles,
  workDir: string
): Promise<Comparison> {
  const sizes = (await stat(current)).size + (await stat(baseline)).size
  const count = Math.min(256, Math.max(1, Math.ceil(sizes / BUCKET_BYTES)))
  const dir = await mkdtemp(join(workDir, '.compare-'))
  const partial = {
    entering: `${out.entering}.partial`,
    exiting: `${out.exiting}.partial`,
    changed: `${out.changed}.partial`
  }
  try {
    const base: Source = { path: baseline, file: 'baseline', columns: [], rows: 0, emptyKeys: 0 }
    const next: Source = { path: current, file: 'current', columns: [], rows: 0, emptyKeys: 0 }
    for (const [source, name] of [
      [base, 'b'],
      [next, 'c']
    ] as const) {
      const writers = Array.from({ length: count }, (_, i) => new BufferedWriter(join(dir, `${name}${i}`)))
      try {
        await spread(source, key, writers)
      } finally {
        for (const writer of writers) writer.close()
      }
    }
    const columnsDiffer = base.columns.join('\u0000') !== next.columns.join('\u0000')
    const result: Comparison = {
      entering: 0,
      exiting: 0,
      changed: columnsDiffer ? null : 0,
      columnsDiffer,
      baselineMembers: 0,
      emptyKeys: { baseline: base.emptyKeys, current: next.emptyKeys },
      duplicateKeys: { baseline: 0, current: 0 }
    }
    const currentMarks = new Uint8Array(next.rows)
    const baselineMarks = new Uint8Array(base.rows)
    for (let i = 0; i < count; i++) {
      const old = readFileSync(join(dir, `b${i}`))
      const byKey = new Map<string, { row: number; start: number; end: number }>()
      for (const record of bucketRecords(old)) {
        if (byKey.has(record.key)) result.duplicateKeys.baseline++
        else byKey.set(record.key, record)
      }
      result.baselineMembers += byKey.size
      const seen = new Set<string>()
      const now = readFileSync(join(dir, `c${i}`))
      for (const record of bucketRecords(now)) {
        if (seen.has(record.key)) {
          result.duplicateKeys.current++
          continue
        }
        seen.add(record.key)
        const match = byKey.get(record.key)
        if (!match) {
          currentMarks[record.row] = ENTERING
          result.entering++
          continue
        }
        byKey.delete(record.key)
        if (!columnsDiffer && !sameRow(old, match.start, match.end, now, record.start, record.end)) {
          currentMarks[record.row] = CHANGED
          ;(result.changed as number)++
        }
      }
      for (const left of byKey.values()) baselineMarks[left.row] = EXITING
      result.exiting += byKey.size
    }
    await rm(dir, { recursive: true, force: true })
    await writeMarked(current, currentMarks, [
      [ENTERING, partial.entering],
      ...(columnsDiffer ? [] : ([[CHANGED, partial.changed]] as [number, string][]))
    ])
    await writeMarked(baseline, baselineMarks, [[EXITING, partial.exiting]])
    await rename(partial.entering, out.entering)
    await rename(partial.exiting, out.exiting)
    if (columnsDiffer) await rm(out.changed, { force: true })
    else await rename(partial.changed, out.changed)
    return result
  } finally {
    await rm(dir, { recursive: true, force: true })
    for (const file of Object.values(partial)) await rm(file, { force: true })
  }
}

async function writeMarked(path: string, marks: Uint8Array, files: [number, string][]): Promise<void> {
  const writers = new Map(files.map(([mark, file]) => [mark, new BufferedWriter(file)]))
  try {
    await copyMarked(path, marks, writers)
  } finally {
    for (const writer of writers.values()) writer.close()
  }
}

/** The header record of a CSV file, read without reading the rest. */
async function headerOf(path: string): Promise<Buffer> {
  let header: Buffer | undefined
  const splitter = new CsvRecordSplitter((buffer, start, end) => {
    header ??= Buffer.from(buffer.subarray(start, end))
  })
  for await (const chunk of createReadStream(path, { highWaterMark: 64 << 10 })) {
    splitter.push(chunk as Buffer)
    if (header) break
  }
  splitter.end()
  if (!header) return Buffer.alloc(0)
  return header[header.length - 1] === 0x0a ? header : Buffer.concat([header, Buffer.from('\n')])
}

/**
 * No baseline: as Amplitude's first sync, every member is entering: the entering file is the membership file, the
 * exiting and changed files hold its header only.
 */
export async function firstExport(current: string, out: ChangeFiles): Promise<void> {
  await copyFile(current, out.entering)
  const header = await headerOf(current)
  await writeFile(out.exiting, header)
  await writeFile(out.changed, header)
}
