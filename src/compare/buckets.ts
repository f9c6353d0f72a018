// The on-disk pieces of the comparison's hash join (compare.ts): per bucket, a data file of [key][row] bytes and an
// index file of fixed [row u32][key hash u32][data offset u32][key length u32] entries (a record's row ends where the
// next record's key starts), read back straight into a typed array; a table over one bucket's records by key bytes;
// and change segments of [row u32][length u32][row] records merged by row number. Fixed buffers throughout: memory does
// not grow with the files.
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs'
import { sameRecord } from '../csv/csv.js'

const WRITE_BUFFER = 256 << 10
/** Index entry: 4 words. */
export const ENTRY = 4
const LF = 0x0a

/** Writes through a fixed buffer: bounded memory whatever the disk's speed. */
export class BufferedWriter {
  private readonly fd: number
  private readonly buffer: Buffer
  used = 0
  written = 0

  constructor(path: string, size = WRITE_BUFFER) {
    this.fd = openSync(path, 'w')
    // Not from the pool: at offset 0, so it can also be written as a Uint32Array (see words()).
    this.buffer = Buffer.allocUnsafeSlow(size)
  }

  /** The buffer as 32-bit words in the platform's byte order (an index is read back the same way). */
  words(): Uint32Array {
    return new Uint32Array(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length >> 2)
  }

  /** Bytes written so far, buffered ones included: where the next write lands in the file. */
  get position(): number {
    return this.written + this.used
  }

  /** Makes room for `length` bytes (at most the buffer's size) and returns the buffer to write them at `used`. */
  reserve(length: number): Buffer {
    if (this.used + length > this.buffer.length) this.flush()
    if (length > this.buffer.length)
      throw new RangeError(`cannot reserve ${length} bytes in a smaller buffer`)
    return this.buffer
  }

  write(source: Buffer, start = 0, end = source.length): void {
    const length = end - start
    if (length > this.buffer.length) {
      this.flush()
      writeSync(this.fd, source, start, length)
      this.written += length
      return
    }
    source.copy(this.reserve(length), this.used, start, end)
    this.used += length
  }

  /** Writes a record, ending it with a line feed when it has none (the last record of a file may not). */
  writeLine(source: Buffer, start: number, end: number): void {
    this.write(source, start, end)
    if (end > start && source[end - 1] !== LF) {
      this.reserve(1)[this.used++] = LF
    }
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

/** Closes each of `items`, even when closing one fails; then throws the first failure. */
export function closeAll(items: Iterable<{ close(): void } | undefined>): void {
  let failure: unknown
  for (const item of items) {
    try {
      item?.close()
    } catch (error) {
      failure ??= error
    }
  }
  if (failure !== undefined) throw failure
}

/** FNV-1a over bytes. */
export function hashBytes(buffer: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ buffer[i], 0x01000193)
  return h >>> 0
}

/** One bucket file and its index, read into memory: record `i`'s fields are `index[i * ENTRY + …]`. */
export class Bucket {
  readonly count: number

  constructor(
    readonly data: Buffer,
    readonly dataLength: number,
    readonly index: Uint32Array,
    entries: number
  ) {
    this.count = entries
  }

  row(i: number): number {
    return this.index[i * ENTRY]
  }

  hash(i: number): number {
    return this.index[i * ENTRY + 1]
  }

  keyStart(i: number): number {
    return this.index[i * ENTRY + 2]
  }

  keyLength(i: number): number {
    return this.index[i * ENTRY + 3]
  }

  /** Where the row's bytes start: after its key. */
  start(i: number): number {
    return this.index[i * ENTRY + 2] + this.index[i * ENTRY + 3]
  }

  end(i: number): number {
    return i + 1 < this.count ? this.index[(i + 1) * ENTRY + 2] : this.dataLength
  }
}

/** Whether the key of record `i` of `a` and the key of record `j` of `b` (same hash) have the same bytes. */
function sameKey(a: Bucket, i: number, b: Bucket, j: number): boolean {
  const length = a.keyLength(i)
  if (length !== b.keyLength(j)) return false
  const x = a.data
  const y = b.data
  const xs = a.keyStart(i)
  const ys = b.keyStart(j)
  if (length > 32) return x.compare(y, ys, ys + length, xs, xs + length) === 0
  for (let k = 0; k < length; k++) if (x[xs + k] !== y[ys + k]) return false
  return true
}

/**
 * An open-addressing hash table of a bucket's records by key: indexes only, no string per row. Each slot holds the
 * record and its key's hash side by side, so a probe reads one place and looks at the record only when hashes agree.
 */
export class KeyTable {
  private slots = new Int32Array(0)
  private shift = 32
  private mask = 0
  /** Per slot: whether a record of the other file matched it. */
  matched = new Uint8Array(0)
  private bucket: Bucket | undefined

  /** Empties the table for the records of `bucket` (its arrays are kept, and grown when too small). */
  reset(bucket: Bucket): this {
    let bits = 4
    while (1 << bits < bucket.count * 2) bits++
    if (this.matched.length < 1 << bits) {
      this.slots = new Int32Array(2 << bits)
      this.matched = new Uint8Array(1 << bits)
    }
    this.slots.fill(-1, 0, 2 << bits)
    this.matched.fill(0, 0, 1 << bits)
    this.shift = 32 - bits
    this.mask = (1 << bits) - 1
    this.bucket = bucket
    return this
  }

  /** The slot holding the key of record `j` of `other`, or the empty slot where it belongs. */
  find(other: Bucket, j: number): number {
    const hash = other.hash(j) | 0
    const { slots, mask } = this
    const bucket = this.bucket as Bucket
    // Fibonacci hashing: the high bits of the product, so keys of one bucket (same hash modulo the bucket count)
    // still spread.
    for (let slot = Math.imul(hash, 0x9e3779b1) >>> this.shift; ; slot = (slot + 1) & mask) {
      const i = slots[slot * 2]
      if (i < 0 || (slots[slot * 2 + 1] === hash && sameKey(bucket, i, other, j))) return slot
    }
  }

  record(slot: number): number {
    return this.slots[slot * 2]
  }

  set(slot: number, record: number): void {
    this.slots[slot * 2] = record
    this.slots[slot * 2 + 1] = (this.bucket as Bucket).hash(record) | 0
  }
}

/** Two records' rows are the same once line endings are normalised (see sameRecord). */
export function sameRow(a: Bucket, i: number, b: Bucket, j: number): boolean {
  return sameRecord(a.data, a.start(i), a.end(i), b.data, b.start(j), b.end(j))
}

/** Reads `path` whole into `into`, or into a larger buffer when it is too small; returns the buffer and the length. */
function readWhole(path: string, into: Buffer): [Buffer, number] {
  const fd = openSync(path, 'r')
  try {
    const size = fstatSync(fd).size
    // Not from the pool: an index is read as a Uint32Array, which needs an aligned offset.
    const buffer = size > into.length ? Buffer.allocUnsafeSlow(size) : into
    let read = 0
    while (read < size) {
      const bytes = readSync(fd, buffer, read, size - read, read)
      if (bytes === 0) break
      read += bytes
    }
    return [buffer, read]
  } finally {
    closeSync(fd)
  }
}

/** The buffers a bucket is read into, reused from one bucket to the next. */
export interface BucketBuffers {
  data: Buffer
  index: Buffer
}

/** Reads a bucket's data file and index (`<path>` and `<path>.i`) into `buffers` (larger ones when too small). */
export function readBucket(path: string, buffers: BucketBuffers): Bucket {
  const [data, dataLength] = readWhole(path, buffers.data)
  const [index, indexLength] = readWhole(`${path}.i`, buffers.index)
  buffers.data = data
  buffers.index = index
  const entries = Math.floor(indexLength / (ENTRY * 4))
  return new Bucket(
    data,
    dataLength,
    new Uint32Array(index.buffer, index.byteOffset, entries * ENTRY),
    entries
  )
}
