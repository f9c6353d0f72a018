// Change runs: each bucket writes its entering, changed and exiting rows as [row u32][length u32][row] records, in
// source order, as one run (a byte range) of a run file; merging the runs by row number gives a change file in the
// source's order.
import { closeSync, openSync, readSync } from 'node:fs'
import { setImmediate as yieldToEvents } from 'node:timers/promises'
import { type Bucket, BufferedWriter, closeAll } from './buckets.js'
import type { Cancellation } from '../runtime/cancel.js'

export interface Run {
  path: string
  start: number
  end: number
}

/** Reads the [row u32][length u32][bytes] records of a run, in order, through a small buffer. */
class RunReader {
  // Small: a merge reads from one run per bucket at once.
  buffer = Buffer.allocUnsafe(16 << 10)
  private length = 0
  private position = 0
  row = 0
  start = 0
  end = 0

  constructor(
    private readonly fd: number,
    /** Where the next read in the file starts, and where the run ends. */
    private offset: number,
    private readonly stop: number
  ) {}

  /** Moves to the next record; false at the end of the run. */
  next(): boolean {
    if (!this.fill(8)) return false
    this.row = this.buffer.readUInt32LE(this.position)
    const length = this.buffer.readUInt32LE(this.position + 4)
    this.position += 8
    if (!this.fill(length)) throw new Error('a change run ends early')
    this.start = this.position
    this.end = this.position += length
    return true
  }

  /** Makes `count` bytes available from `position`; false when the run has fewer left. */
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
      const want = Math.min(this.buffer.length - this.length, this.stop - this.offset)
      const bytes = want > 0 ? readSync(this.fd, this.buffer, this.length, want, this.offset) : 0
      if (bytes === 0) return false
      this.length += bytes
      this.offset += bytes
    }
    return true
  }
}

/** Rows merged between two yields to the event loop, so a cancellation is noticed. */
const YIELD_EVERY = 1 << 16

/**
 * Pass 3: the change file, from the runs the buckets wrote (each in source order): the header, then every run's rows
 * merged by their row number, so the file keeps the source's order. Stops (throwing) between batches once `cancel`
 * says so.
 */
export async function mergeRuns(
  runs: Run[],
  out: string,
  header: Buffer,
  cancel?: Cancellation
): Promise<void> {
  const files = new Map<string, number>()
  const writer = new BufferedWriter(out)
  try {
    writer.writeLine(header, 0, header.length)
    const readers: RunReader[] = []
    for (const run of runs) {
      if (run.end <= run.start) continue
      let fd = files.get(run.path)
      if (fd === undefined) files.set(run.path, (fd = openSync(run.path, 'r')))
      const reader = new RunReader(fd, run.start, run.end)
      if (reader.next()) readers.push(reader)
    }
    while (mergeSome(readers, writer, YIELD_EVERY)) {
      await yieldToEvents()
      cancel?.throwIfAborted()
    }
  } finally {
    closeAll([writer, ...[...files.values()].map(fd => ({ close: () => closeSync(fd) }))])
  }
}

/** Writes up to `count` rows, the lowest row number first; false once every run is done. */
function mergeSome(readers: RunReader[], writer: BufferedWriter, count: number): boolean {
  for (let n = 0; n < count; n++) {
    if (readers.length === 0) return false
    let first = 0
    for (let i = 1; i < readers.length; i++) if (readers[i].row < readers[first].row) first = i
    const reader = readers[first]
    writer.writeLine(reader.buffer, reader.start, reader.end)
    if (!reader.next()) readers.splice(first, 1)
  }
  return readers.length > 0
}

/** Writes runs to one run file, one after another. */
export class RunWriter {
  private readonly writer: BufferedWriter
  private start = 0

  constructor(readonly path: string) {
    this.writer = new BufferedWriter(path)
  }

  /** Appends record `i` of a bucket to the current run. */
  add(bucket: Bucket, i: number): void {
    this.addRow(bucket.row(i), bucket.data, bucket.start(i), bucket.end(i))
  }

  /** Appends row number `row`, the bytes `source[start, end)`, to the current run. */
  addRow(row: number, source: Buffer, start: number, end: number): void {
    const run = this.writer
    const head = run.reserve(8)
    head.writeUInt32LE(row, run.used)
    head.writeUInt32LE(end - start, run.used + 4)
    run.used += 8
    run.write(source, start, end)
  }

  /** Ends the current run and returns it; the next record starts a new one. */
  endRun(): Run {
    const run = { path: this.path, start: this.start, end: this.writer.position }
    this.start = run.end
    return run
  }

  close(): void {
    this.writer.close()
  }
}
