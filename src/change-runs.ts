import { closeSync, openSync, readSync } from 'node:fs'
import { type Bucket, BufferedWriter } from './buckets.js'

/**
 * Change runs: each bucket writes its entering, changed and exiting rows as [row u32][length u32][row] records, in
 * source order; merging the runs by row number gives a change file in the source's order.
 */
const LF = 0x0a

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
export function mergeRuns(runs: string[], out: string, header: Buffer): void {
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
export function addToRun(run: BufferedWriter, bucket: Bucket, i: number): void {
  const start = bucket.start[i]
  const end = bucket.end[i]
  const head = run.reserve(8)
  head.writeUInt32LE(bucket.row[i], run.used)
  head.writeUInt32LE(end - start, run.used + 4)
  run.used += 8
  run.write(bucket.data, start, end)
}
