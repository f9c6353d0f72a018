import { join } from 'node:path'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { BufferedWriter, hashBytes, HEAD } from './buckets.js'
import { fieldAt, fieldRange, parseFields, readCsv } from './csv.js'
import { InvalidFileError } from './errors.js'

/**
 * Pass 1 of the comparison: every row of a file with a non-empty key into the bucket file of its key's hash. The two
 * files are spread at the same time, the baseline in a worker thread when the code runs as a bundle (a worker runs
 * JavaScript files only; under ts-jest both run in turn on the main thread, through the same code).
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

/** Spreads one file over its bucket files, here. */
async function spreadHere(task: SpreadTask): Promise<Source> {
  const buckets = Array.from(
    { length: task.count },
    (_, i) => new BufferedWriter(join(task.dir, `${task.name}${i}`))
  )
  const source: Source = { header: Buffer.alloc(0), columns: [], rows: 0, emptyKeys: 0 }
  try {
    await spread(task, source, buckets)
  } finally {
    for (const bucket of buckets) bucket.close()
  }
  return source
}

async function spread(task: SpreadTask, source: Source, buckets: BufferedWriter[]): Promise<void> {
  const { key } = task
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
    task.path,
    (buffer, start, end) => {
      source.header = Buffer.from(buffer.subarray(start, end))
      source.columns = parseFields(buffer, start, end)
      keyIndex = source.columns.indexOf(key)
      if (keyIndex < 0) throw new MissingKeyColumnError(task.file, key)
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
  if (keyIndex < 0) throw new MissingKeyColumnError(task.file, key)
}

/** Where a worker can run this module: as JavaScript (the bundle, or a build), not as TypeScript under ts-jest. */
const WORKER_SCRIPT = import.meta.url.endsWith('.js') ? new URL(import.meta.url) : undefined

/** Spreads one file in a worker thread running this same module (see the start-up at the end of the file). */
function spreadInWorker(task: SpreadTask, script: URL): { done: Promise<Source>; stop: () => Promise<void> } {
  const worker = new Worker(script, { workerData: { spread: task } })
  const done = new Promise<Source>((resolve, reject) => {
    worker.once('message', (message: { source?: Source; error?: { name: string; message: string } }) => {
      if (message.source) resolve({ ...message.source, header: Buffer.from(message.source.header) })
      else reject(rebuildError(task, message.error))
    })
    worker.once('error', reject)
    worker.once('exit', code => reject(new Error(`the comparison's worker thread exited (${code})`)))
  })
  // Waited for: the worker's bucket files are closed before the caller removes their folder.
  return { done, stop: async () => void (await worker.terminate()) }
}

function rebuildError(task: SpreadTask, error: { name: string; message: string } | undefined): Error {
  if (error?.name === 'MissingKeyColumnError') return new MissingKeyColumnError(task.file, task.key)
  if (error?.name === 'InvalidFileError') return new InvalidFileError(error.message)
  return new Error(error?.message ?? 'the worker thread failed')
}

/** Spreads both files at once; resolves to their sources in the order given, or rejects with the first's error. */
export async function spreadBoth(first: SpreadTask, second: SpreadTask): Promise<[Source, Source]> {
  if (!WORKER_SCRIPT) return [await spreadHere(first), await spreadHere(second)]
  const other = spreadInWorker(second, WORKER_SCRIPT)
  other.done.catch(() => undefined)
  try {
    const here = await spreadHere(first)
    return [here, await other.done]
  } finally {
    await other.stop()
  }
}

// In a worker started by spreadInWorker: spread the file, report the result (or the error) and end.
const task = (workerData as { spread?: SpreadTask } | null)?.spread
if (!isMainThread && task) {
  try {
    parentPort?.postMessage({ source: await spreadHere(task) })
  } catch (error) {
    const { name, message } = error as Error
    parentPort?.postMessage({ error: { name, message } })
  }
}
