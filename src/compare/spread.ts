// Pass 1 of the hash join: every row of a file with a non-empty key into the bucket file of its key's hash, the new
// file first, then the baseline.
import { join } from 'node:path'
import { setImmediate as yieldToEvents } from 'node:timers/promises'
import { BufferedWriter, closeAll, ENTRY, hashBytes } from './buckets.js'
import type { Cancellation } from '../runtime/cancel.js'
import { type Segment, SegmentWriter } from './change-segments.js'
import { KeyedRows } from './keyed-rows.js'

export interface SpreadTask {
  path: string
  file: 'baseline' | 'current'
  key: string
  dir: string
  /** Bucket files are `<dir>/<name><i>`. */
  name: string
  count: number
  /** The longest CSV record allowed (CsvCursor's default when not set). */
  maxRecordBytes?: number
  /** Where the rows with an empty key go, as a change segment (for the skipped file); nowhere when not set. */
  skippedSegment?: string
}

export interface Source {
  header: Buffer
  /** The column names, raw bytes. */
  names: Buffer[]
  emptyKeys: number
  /** The segment of rows with an empty key, when `skippedSegment` was set. */
  skipped?: Segment
}

/** One bucket being written: its data file (`<name><i>`) and its index (`<name><i>.i`, written as words). */
interface BucketWriter {
  data: BufferedWriter
  index: BufferedWriter
  words: Uint32Array
}

/** Write buffers: one pair per bucket is open at once; the index is a quarter of the data or less. */
const BUCKET_BUFFER = 64 << 10
const INDEX_BUFFER = 16 << 10
/** Keys up to this length are copied byte by byte (a native copy costs more to call than that takes). */
const SHORT_KEY = 64
/** Rows between two yields to the event loop. */
const YIELD_EVERY = 1 << 16

/** Spreads one file over its bucket files, here; stops (throwing) between batches once `cancel` says so. */
export async function spreadHere(task: SpreadTask, cancel?: Cancellation): Promise<Source> {
  const buckets: BucketWriter[] = []
  const writers: BufferedWriter[] = []
  const open = (path: string, size: number): BufferedWriter => {
    const writer = new BufferedWriter(path, size)
    writers.push(writer)
    return writer
  }
  const rows = new KeyedRows(task.path, task.file, task.key, task.maxRecordBytes)
  let skipped: SegmentWriter | undefined
  try {
    if (task.skippedSegment) {
      const segment = (skipped = new SegmentWriter(task.skippedSegment))
      rows.skip = ({ row, cursor }) => segment.addRow(row, cursor.buffer, cursor.start, cursor.end)
    }
    for (let i = 0; i < task.count; i++) {
      const path = join(task.dir, `${task.name}${i}`)
      const data = open(path, BUCKET_BUFFER)
      const index = open(`${path}.i`, INDEX_BUFFER)
      buckets.push({ data, index, words: index.words() })
    }
    await spread(rows, buckets, cancel)
    return {
      header: rows.header,
      names: rows.names,
      emptyKeys: rows.emptyKeys,
      ...(skipped ? { skipped: skipped.endSegment() } : {})
    }
  } finally {
    closeAll([...writers, rows, skipped])
  }
}

async function spread(rows: KeyedRows, buckets: BucketWriter[], cancel?: Cancellation): Promise<void> {
  // In batches, yielding to the event loop between them so a cancellation is noticed; each batch is a plain
  // function, so its locals stay in registers rather than in the state an await keeps.
  while (spreadSome(rows, buckets, YIELD_EVERY)) {
    await yieldToEvents()
    cancel?.throwIfAborted()
  }
}

/** Spreads up to `count` rows; false once the file is done. */
function spreadSome(rows: KeyedRows, buckets: BucketWriter[], count: number): boolean {
  for (let n = 0; n < count; n++) {
    if (!rows.next()) return false
    const { keyBuffer: k, keyStart, keyEnd, cursor } = rows
    const hash = hashBytes(k, keyStart, keyEnd)
    const { data, index, words } = buckets[hash % buckets.length]
    // In the platform's byte order, as the index is read back (readBucket).
    index.reserve(ENTRY * 4)
    const at = index.used >> 2
    words[at] = rows.row
    words[at + 1] = hash
    words[at + 2] = data.position
    words[at + 3] = keyEnd - keyStart
    index.used += ENTRY * 4
    if (keyEnd - keyStart > SHORT_KEY) {
      data.write(k, keyStart, keyEnd)
    } else {
      const keyBytes = data.reserve(keyEnd - keyStart)
      let to = data.used
      for (let i = keyStart; i < keyEnd; i++) keyBytes[to++] = k[i]
      data.used = to
    }
    data.write(cursor.buffer, cursor.start, cursor.end)
  }
  return true
}
