import { join } from 'node:path'
import { BufferedWriter, closeAll, ENTRY, hashBytes } from './buckets.js'
import { fieldAt, fieldRange, parseFields, readCsv } from './csv.js'

/**
 * Pass 1 of the hash join: every row of a file with a non-empty key into the bucket file of its key's hash. The two
 * files are spread at the same time, the baseline in the join's worker thread where there is one (join-worker.ts).
 */
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

export interface SpreadTask {
  path: string
  file: 'baseline' | 'current'
  key: string
  dir: string
  /** Bucket files are `<dir>/<name><i>`. */
  name: string
  count: number
}

export interface Source {
  header: Buffer
  columns: string[]
  /** Data rows, header excluded. */
  rows: number
  emptyKeys: number
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

/** Spreads one file over its bucket files, here. */
export async function spreadHere(task: SpreadTask): Promise<Source> {
  const buckets: BucketWriter[] = []
  const writers: BufferedWriter[] = []
  const open = (path: string, size: number): BufferedWriter => {
    const writer = new BufferedWriter(path, size)
    writers.push(writer)
    return writer
  }
  const source: Source = { header: Buffer.alloc(0), columns: [], rows: 0, emptyKeys: 0 }
  try {
    for (let i = 0; i < task.count; i++) {
      const path = join(task.dir, `${task.name}${i}`)
      const data = open(path, BUCKET_BUFFER)
      const index = open(`${path}.i`, INDEX_BUFFER)
      buckets.push({ data, index, words: index.words() })
    }
    await spread(task, source, buckets)
  } finally {
    closeAll(writers)
  }
  return source
}

async function spread(task: SpreadTask, source: Source, buckets: BucketWriter[]): Promise<void> {
  const { key } = task
  let keyIndex = -1
  const range = [0, 0]
  const write = (
    bucket: BucketWriter,
    row: number,
    hash: number,
    k: Buffer,
    kStart: number,
    kEnd: number,
    buffer: Buffer,
    start: number,
    end: number
  ): void => {
    const { data, index, words } = bucket
    // In the platform's byte order, as the index is read back (readBucket).
    index.reserve(ENTRY * 4)
    const at = index.used >> 2
    words[at] = row
    words[at + 1] = hash
    words[at + 2] = data.position
    words[at + 3] = kEnd - kStart
    index.used += ENTRY * 4
    if (kEnd - kStart > SHORT_KEY) {
      data.write(k, kStart, kEnd)
    } else {
      const keyBytes = data.reserve(kEnd - kStart)
      let to = data.used
      for (let i = kStart; i < kEnd; i++) keyBytes[to++] = k[i]
      data.used = to
    }
    data.write(buffer, start, end)
  }
  source.rows = await readCsv(
    task.path,
    (buffer, start, end) => {
      source.header = Buffer.from(buffer.subarray(start, end))
      source.columns = parseFields(buffer, start, end)
      keyIndex = source.columns.indexOf(key)
      if (keyIndex < 0) throw new MissingKeyColumnError(task.file, key)
    },
    (buffer, start, end, _quoted, row) => {
      let k = buffer
      const found = fieldRange(buffer, start, end, keyIndex, range)
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
  if (keyIndex < 0) throw new MissingKeyColumnError(task.file, key)
}
