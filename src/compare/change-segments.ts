// Change segments: each bucket writes its entering, changed and exiting rows as [row u32][length u32][row] records, in
// source order, as one segment (a byte range) of a segment file; merging the segments by row number gives a change file in the
// source's order.
import { closeSync, openSync, readSync } from 'node:fs'
import { setImmediate as yieldToEvents } from 'node:timers/promises'
import { type Bucket, BufferedWriter, closeAll } from './buckets.js'
import type { Cancellation } from '../runtime/cancel.js'

export interface Segment {
  path: string
  start: number
  end: number
}

/** Reads the [row u32][length u32][bytes] records of a segment, in order, through a small buffer. */
class SegmentReader {
  // Small: a merge reads from one segment per bucket at once.
  buffer = Buffer.allocUnsafe(16 << 10)
  private length = 0
  private position = 0
  row = 0
  start = 0
  end = 0

  constructor(
    private readonly fd: number,
    /** Where the next read in the file starts, and where the segment ends. */
    private offset: number,
    private readonly stop: number
  ) {}

  /** Moves to the next record; false at the end of the segment. */
  next(): boolean {
    if (!this.fill(8)) return false
    this.row = this.buffer.readUInt32LE(this.position)
    const length = this.buffer.readUInt32LE(this.position + 4)
    this.position += 8
    if (!this.fill(length)) throw new Error('a change segment ends early')
    this.start = this.position
    this.end = this.position += length
    return true
  }

  /** Makes `count` bytes available from `position`; false when the segment has fewer left. */
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
 * Pass 3: the change file, from the segments the buckets wrote (each in source order): the header, then every segment's rows
 * merged by their row number, so the file keeps the source's order. Stops (throwing) between batches once `cancel`
 * says so.
 */
export async function mergeSegments(
  segments: Segment[],
  out: string,
  header: Buffer,
  cancel?: Cancellation
): Promise<void> {
  const files = new Map<string, number>()
  const writer = new BufferedWriter(out)
  try {
    writer.writeLine(header, 0, header.length)
    const readers: SegmentReader[] = []
    for (const segment of segments) {
      if (segment.end <= segment.start) continue
      let fd = files.get(segment.path)
      if (fd === undefined) files.set(segment.path, (fd = openSync(segment.path, 'r')))
      const reader = new SegmentReader(fd, segment.start, segment.end)
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

/** Writes up to `count` rows, the lowest row number first; false once every segment is done. */
function mergeSome(readers: SegmentReader[], writer: BufferedWriter, count: number): boolean {
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

/** Writes segments to one segment file, one after another. */
export class SegmentWriter {
  private readonly writer: BufferedWriter
  private start = 0

  constructor(readonly path: string) {
    this.writer = new BufferedWriter(path)
  }

  /** Appends record `i` of a bucket to the current segment. */
  add(bucket: Bucket, i: number): void {
    this.addRow(bucket.row(i), bucket.data, bucket.start(i), bucket.end(i))
  }

  /** Appends row number `row`, the bytes `source[start, end)`, to the current segment. */
  addRow(row: number, source: Buffer, start: number, end: number): void {
    const segment = this.writer
    const head = segment.reserve(8)
    head.writeUInt32LE(row, segment.used)
    head.writeUInt32LE(end - start, segment.used + 4)
    segment.used += 8
    segment.write(source, start, end)
  }

  /** Ends the current segment and returns it; the next record starts a new one. */
  endSegment(): Segment {
    const segment = { path: this.path, start: this.start, end: this.writer.position }
    this.start = segment.end
    return segment
  }

  close(): void {
    this.writer.close()
  }
}
