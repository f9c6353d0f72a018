import { join } from 'node:path'
import { BufferedWriter, ENTRY, hashBytes } from './buckets.js'
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

/** One bucket being written: its data file (`<name><i>`) and its index (`<name><i>.i`). */
interface BucketWriter {
  data: BufferedWriter
  index: BufferedWriter
}

/** Write buffers: one pair per bucket is open at once; the index is a quarter of the data or less. */
const BUCKET_BUFFER = 64 << 10
const INDEX_BUFFER = 16 << 10

/** Spreads one file over its bucket files, here. */
export async function spreadHere(task: SpreadTask): Promise<Source> {
  const buckets: BucketWriter[] = []
  const source: Source = { header: Buffer.alloc(0), columns: [], rows: 0, emptyKeys: 0 }
  try {
    for (let i = 0; i < task.count; i++) {
      const path = join(task.dir, `${task.name}${i}`)
      buckets.push({
        data: new BufferedWriter(path, BUCKET_BUFFER),
        index: new BufferedWriter(`${path}.i`, INDEX_BUFFER)
      })
    }
    await spread(task, source, buckets)
  } finally {
    for (const bucket of buckets) {
      bucket.data.close()
      bucket.index.close()
    }
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
    const { data, index } = bucket
    const entry = index.reserve(ENTRY * 4)
    const at = index.used
    // Little-endian, as the index is read back (as a Uint32Array) on every platform Node runs GitHub Actions on.
    entry.writeUInt32LE(row, at)
    entry.writeUInt32LE(hash, at + 4)
    entry.writeUInt32LE(data.position, at + 8)
    entry.writeUInt32LE(kEnd - kStart, at + 12)
    index.used = at + ENTRY * 4
    // The key byte by byte (it is short: a native copy costs more to call), then the row.
    const keyBytes = data.reserve(kEnd - kStart)
    let to = data.used
    for (let i = kStart; i < kEnd; i++) keyBytes[to++] = k[i]
    data.used = to
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
