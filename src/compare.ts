import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs'
import { copyFile, mkdtemp, open, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { contentEnd, CsvRecordSplitter, fieldAt, fieldRange, parseFields } from './csv.js'
import { InvalidFileError } from './errors.js'

/**
 * What changed between two membership files, matched by a key column, without holding either file in memory: both
 * files are spread over bucket files by a hash of the key; each bucket's baseline is indexed in memory (an
 * open-addressing table of offsets: no string per row) and matched against the same bucket of the new file; a last
 * pass over each source copies the entering, changed and exiting rows, byte for byte and in source order, into the
 * change files. Memory: about two buckets and a byte per row.
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
/** A bucket record: [row u32][key hash u32][key length u32][row length u32][key][row]. */
const HEAD = 16
const LF = 0x0a
const CR = 0x0d

/** Writes through a fixed buffer: bounded memory whatever the disk's speed. */
class BufferedWriter {
  private readonly fd: number
  private readonly buffer = Buffer.allocUnsafe(WRITE_BUFFER)
  used = 0
  written = 0

  constructor(path: string) {
    this.fd = openSync(path, 'w')
  }

  /** Makes room for `length` bytes and returns the buffer to write them at `used`. */
  reserve(length: number): Buffer {
    if (this.used + length > this.buffer.length) this.flush()
    return this.buffer
  }

  write(source: Buffer, start = 0, end = source.length): void {
    const length = end - start
    if (length > WRITE_BUFFER) {
      this.flush()
      writeSync(this.fd, source, start, length)
      this.written += length
      return
    }
    source.copy(this.reserve(length), this.used, start, end)
    this.used += length
  }

  flush(): void {
    if (this.used > 0) writeSync(this.fd, this.buffer, 0, this.used)
    this.written += this.used
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

/** FNV-1a over bytes. */
function hashBytes(buffer: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ buffer[i], 0x01000193)
  return h >>> 0
}

/**
 * Streams a CSV file's records through one reused buffer: `onHeader` with the first, `onRow` with each data row and
 * its index. Rejects with InvalidFileError when the file ends inside a quoted field. Returns the number of data rows.
 */
async function readCsv(
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

interface Source {
  path: string
  file: 'baseline' | 'current'
  header: Buffer
  columns: string[]
  /** Data rows, header excluded. */
  rows: number
  emptyKeys: number
}

/** Pass 1: every row with a non-empty key into the bucket of its key's hash. */
async function spread(source: Source, key: string, buckets: BufferedWriter[]): Promise<void> {
  let keyIndex = -1
  const range = [0, 0]
  const write = (
    bucket: BufferedWriter,
    row: number,
    hash: number,
    k: Buffer,
    kStart: number,
    kEnd: number,
    buffer: Buffer,
    start: number,
    end: number
  ): void => {
    const keyLength = kEnd - kStart
    const head = bucket.reserve(HEAD + keyLength)
    let at = bucket.used
    head.writeUInt32LE(row, at)
    head.writeUInt32LE(hash, at + 4)
    head.writeUInt32LE(keyLength, at + 8)
    head.writeUInt32LE(end - start, at + 12)
    at += HEAD
    for (let i = kStart; i < kEnd; i++) head[at++] = k[i]
    bucket.used = at
    bucket.write(buffer, start, end)
  }
  source.rows = await readCsv(
    source.path,
    (buffer, start, end) => {
      source.header = Buffer.from(buffer.subarray(start, end))
      source.columns = parseFields(buffer, start, end)
      keyIndex = source.columns.indexOf(key)
      if (keyIndex < 0) throw new MissingKeyColumnError(source.file, key)
    },
    (buffer, start, end, quoted, row) => {
      let k = buffer
      const found = fieldRange(buffer, start, end, keyIndex, quoted, range)
      if (found === 'quoted') {
        const value = fieldAt(buffer, start, end, keyIndex)
        k = Buffer.from(value ?? '', 'utf8')
        range[0] = 0
        range[1] = k.length
      }
      if (found === 'missing' || range[0] === range[1]) {
        source.emptyKeys++
        return
      }
      const hash = hashBytes(k, range[0], range[1])
      write(buckets[hash % buckets.length], row, hash, k, range[0], range[1], buffer, start, end)
    }
  )
  if (keyIndex < 0) throw new MissingKeyColumnError(source.file, key)
}

/** The records of one bucket file, read into memory, with their fields in typed arrays. */
class Bucket {
  readonly count: number
  readonly row: Uint32Array
  readonly hash: Uint32Array
  readonly key: Uint32Array
  readonly keyLength: Uint32Array
  readonly start: Uint32Array
  readonly end: Uint32Array

  constructor(
    readonly data: Buffer,
    length: number
  ) {
    let count = 0
    for (let at = 0; at < length; at += HEAD + data.readUInt32LE(at + 8) + data.readUInt32LE(at + 12)) count++
    this.count = count
    this.row = new Uint32Array(count)
    this.hash = new Uint32Array(count)
    this.key = new Uint32Array(count)
    this.keyLength = new Uint32Array(count)
    this.start = new Uint32Array(count)
    this.end = new Uint32Array(count)
    for (let i = 0, at = 0; i < count; i++) {
      const keyLength = data.readUInt32LE(at + 8)
      this.row[i] = data.readUInt32LE(at)
      this.hash[i] = data.readUInt32LE(at + 4)
      this.key[i] = at + HEAD
      this.keyLength[i] = keyLength
      this.start[i] = at + HEAD + keyLength
      this.end[i] = this.start[i] + data.readUInt32LE(at + 12)
      at = this.end[i]
    }
  }
}

/** Whether record `i` of `a` and record `j` of `b` have the same key. */
function sameKey(a: Bucket, i: number, b: Bucket, j: number): boolean {
  const length = a.keyLength[i]
  if (a.hash[i] !== b.hash[j] || length !== b.keyLength[j]) return false
  const x = a.data
  const y = b.data
  const xs = a.key[i]
  const ys = b.key[j]
  if (length > 32) return x.compare(y, ys, ys + length, xs, xs + length) === 0
  for (let k = 0; k < length; k++) if (x[xs + k] !== y[ys + k]) return false
  return true
}

/** An open-addressing hash table of a bucket's records by key: indexes only, no string per row. */
class KeyTable {
  private readonly slots: Int32Array
  private readonly shift: number
  /** Per slot: whether a record of the other file matched it. */
  readonly matched: Uint8Array

  constructor(readonly bucket: Bucket) {
    let bits = 4
    while (1 << bits < bucket.count * 2) bits++
    this.slots = new Int32Array(1 << bits).fill(-1)
    this.matched = new Uint8Array(1 << bits)
    this.shift = 32 - bits
  }

  /** The slot holding the key of record `j` of `other`, or the empty slot where it belongs. */
  find(other: Bucket, j: number): number {
    const mask = this.slots.length - 1
    // Fibonacci hashing: the high bits of the product, so keys of one bucket (same hash modulo the bucket count)
    // still spread.
    for (let slot = Math.imul(other.hash[j], 0x9e3779b1) >>> this.shift; ; slot = (slot + 1) & mask) {
      const i = this.slots[slot]
      if (i < 0 || sameKey(this.bucket, i, other, j)) return slot
    }
  }

  record(slot: number): number {
    return this.slots[slot]
  }

  set(slot: number, record: number): void {
    this.slots[slot] = record
  }
}

/** Two records' rows are the same once line endings are normalised (CRLF = LF; a missing last one too). */
function sameRow(a: Bucket, i: number, b: Bucket, j: number): boolean {
  const x = a.data
  const y = b.data
  const xStart = a.start[i]
  const yStart = b.start[j]
  const xEnd = contentEnd(x, xStart, a.end[i])
  const yEnd = contentEnd(y, yStart, b.end[j])
  if (xEnd - xStart === yEnd - yStart && x.compare(y, yStart, yEnd, xStart, xEnd) === 0) return true
  const hasCr = (buffer: Buffer, start: number, end: number): boolean => {
    const cr = buffer.indexOf(CR, start)
    return cr !== -1 && cr < end
  }
  if (!hasCr(x, xStart, xEnd) && !hasCr(y, yStart, yEnd)) return false
  const lf = (buffer: Buffer, start: number, end: number): string =>
    buffer.toString('latin1', start, end).replace(/\r\n/g, '\n')
  return lf(x, xStart, xEnd) === lf(y, yStart, yEnd)
}

/** Reads a whole bucket file into `into` (a larger buffer when it is too small). */
function readBucket(path: string, into: Buffer): Bucket {
  const fd = openSync(path, 'r')
  try {
    const size = fstatSync(fd).size
    const buffer = size > into.length ? Buffer.allocUnsafe(size) : into
    let read = 0
    while (read < size) {
      const bytes = readSync(fd, buffer, read, size - read, read)
      if (bytes === 0) break
      read += bytes
    }
    return new Bucket(buffer, read)
  } finally {
    closeSync(fd)
  }
}

/** Reads the [row u32][length u32][bytes] records of a change run, in order, through a small buffer. */
class RunReader {
  private readonly fd: number
  buffer = Buffer.allocUnsafe(64 << 10)
  private length = 0
  private position = 0
  row = 0
  start = 0
  end = 0

  constructor(path: string) {
    this.fd = openSync(path, 'r')
  }

  /** Moves to the next record; false at the end (the file is closed then). */
  next(): boolean {
    if (!this.fill(8)) return this.close()
    this.row = this.buffer.readUInt32LE(this.position)
    const length = this.buffer.readUInt32LE(this.position + 4)
    this.position += 8
    if (!this.fill(length)) throw new Error('a change run ends early')
    this.start = this.position
    this.end = this.position += length
    return true
  }

  /** Makes `count` bytes available from `position`; false when the file has fewer left. */
  private fill(count: number): boolean {
    if (this.length - this.position >= count) return true
    const rest = this.length - this.position
    if (count > this.buffer.length) {
      const larger = Buffer.allocUnsafe(count)
      this.buffer.copy(larger, 0, this.position, this.length)
      this.buffer = larger
    } else {
      this.buffer.copy(this.buffer, 0, this.position, this.length)
    }
    this.position = 0
    this.length = rest
    while (this.length < count) {
      const bytes = readSync(this.fd, this.buffer, this.length, this.buffer.length - this.length, null)
      if (bytes === 0) return false
      this.length += bytes
    }
    return true
  }

  private close(): false {
    closeSync(this.fd)
    return false
  }
}

/**
 * Pass 3: the change file, from the runs each bucket wrote (each in source order): the header, then every run's rows
 * merged by their row number, so the file keeps the source's order.
 */
function mergeRuns(runs: string[], out: string, header: Buffer): void {
  const writer = new BufferedWriter(out)
  try {
    put(writer, header, 0, header.length)
    const readers = runs.map(run => new RunReader(run)).filter(reader => reader.next())
    while (readers.length > 0) {
      let first = 0
      for (let i = 1; i < readers.length; i++) if (readers[i].row < readers[first].row) first = i
      const reader = readers[first]
      put(writer, reader.buffer, reader.start, reader.end)
      if (!reader.next()) readers.splice(first, 1)
    }
  } finally {
    writer.close()
  }
}

const NEWLINE = Buffer.from('\n')

/** Writes a row, ending it with a line feed when it has none (the last row of a file may not). */
function put(writer: BufferedWriter, buffer: Buffer, start: number, end: number): void {
  writer.write(buffer, start, end)
  if (end > start && buffer[end - 1] !== LF) writer.write(NEWLINE)
}

/** Appends record `i` of a bucket to a change run. */
function addToRun(run: BufferedWriter, bucket: Bucket, i: number): void {
  const start = bucket.start[i]
  const end = bucket.end[i]
  const head = run.reserve(8)
  head.writeUInt32LE(bucket.row[i], run.used)
  head.writeUInt32LE(end - start, run.used + 4)
  run.used += 8
  run.write(bucket.data, start, end)
}

/** Compares `current` against `baseline` by the column `key`; writes the change files (`workDir` for scratch). */
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
    const base: Source = {
      path: baseline,
      file: 'baseline',
      header: Buffer.alloc(0),
      columns: [],
      rows: 0,
      emptyKeys: 0
    }
    const next: Source = {
      path: current,
      file: 'current',
      header: Buffer.alloc(0),
      columns: [],
      rows: 0,
      emptyKeys: 0
    }
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
    const run = (kind: string, b: number): string => join(dir, `${kind}${b}`)
    let oldBuffer: Buffer = Buffer.allocUnsafe(0)
    let newBuffer: Buffer = Buffer.allocUnsafe(0)
    for (let b = 0; b < count; b++) {
      const old = readBucket(join(dir, `b${b}`), oldBuffer)
      oldBuffer = old.data
      const table = new KeyTable(old)
      // Each baseline record's slot; -1 for a later occurrence of a key (the first one wins).
      const slots = new Int32Array(old.count)
      for (let i = 0; i < old.count; i++) {
        const slot = table.find(old, i)
        if (table.record(slot) >= 0) {
          result.duplicateKeys.baseline++
          slots[i] = -1
        } else {
          table.set(slot, i)
          slots[i] = slot
        }
      }
      const now = readBucket(join(dir, `c${b}`), newBuffer)
      newBuffer = now.data
      const enteringRun = new BufferedWriter(run('e', b))
      const changedRun = new BufferedWriter(run('k', b))
      const exitingRun = new BufferedWriter(run('x', b))
      // Keys of the new file that the baseline does not have, to find their duplicates.
      const entering = new KeyTable(now)
      for (let j = 0; j < now.count; j++) {
        const slot = table.find(now, j)
        const match = table.record(slot)
        if (match < 0) {
          const own = entering.find(now, j)
          if (entering.record(own) >= 0) {
            result.duplicateKeys.current++
            continue
          }
          entering.set(own, j)
          addToRun(enteringRun, now, j)
          result.entering++
          continue
        }
        if (table.matched[slot]) {
          result.duplicateKeys.current++
          continue
        }
        table.matched[slot] = 1
        if (!columnsDiffer && !sameRow(old, match, now, j)) {
          addToRun(changedRun, now, j)
          ;(result.changed as number)++
        }
      }
      // In the baseline's order: the exiting file keeps its source's order.
      for (let i = 0; i < old.count; i++) {
        if (slots[i] < 0) continue
        result.baselineMembers++
        if (table.matched[slots[i]]) continue
        addToRun(exitingRun, old, i)
        result.exiting++
      }
      for (const writer of [enteringRun, changedRun, exitingRun]) writer.close()
    }
    const runs = (kind: string): string[] => Array.from({ length: count }, (_, b) => run(kind, b))
    mergeRuns(runs('e'), partial.entering, next.header)
    if (!columnsDiffer) mergeRuns(runs('k'), partial.changed, next.header)
    mergeRuns(runs('x'), partial.exiting, base.header)
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

/** The header record of a CSV file (with a line terminator), read without reading the rest. */
async function headerOf(path: string): Promise<Buffer> {
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
