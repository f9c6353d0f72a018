import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs'
import { contentEnd } from './csv.js'

/**
 * The on-disk pieces of the comparison (compare.ts): bucket files of [row u32][key hash u32][key length u32][row
 * length u32][key][row] records, a table over one bucket's records by key bytes, and change runs of [row u32][length
 * u32][row] records merged by row number. Fixed buffers throughout: memory does not grow with the files.
 */
const WRITE_BUFFER = 256 << 10
export const HEAD = 16
const CR = 0x0d

/** Writes through a fixed buffer: bounded memory whatever the disk's speed. */
export class BufferedWriter {
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
export function hashBytes(buffer: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ buffer[i], 0x01000193)
  return h >>> 0
}

/** The records of one bucket file, read into memory, with their fields in typed arrays. */
export class Bucket {
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
export class KeyTable {
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
export function sameRow(a: Bucket, i: number, b: Bucket, j: number): boolean {
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
export function readBucket(path: string, into: Buffer): Bucket {
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
