import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { InvalidFileError, RecordTooLargeError } from './errors.js'
import { matchBuckets, type Matched, type MatchTask } from './match.js'
import { type Source, type SpreadTask, spreadHere } from './spread.js'

/**
 * The hash join's second thread: it spreads the baseline while the main thread spreads the new file (pass 1), then
 * matches half of the buckets (pass 2). It runs this module, from the bundle the action runs (index.ts imports it,
 * so that the thread loads this part of the action only). A worker runs JavaScript files only: under ts-jest the same
 * work runs on the main thread, through the same functions.
 */
export interface JoinHelper {
  spread(task: SpreadTask): Promise<Source>
  match(task: MatchTask): Promise<Matched>
  /** Ends the thread; resolves once its files are closed. */
  stop(): Promise<void>
}

type Request = { id: number; spread: SpreadTask } | { id: number; match: MatchTask }
/** An error as it crosses threads: its kind, message and facts. */
interface ErrorFacts {
  name: string
  message: string
  file?: 'baseline' | 'current'
  limit?: number
}
type Reply = { id: number; result: Source | Matched } | { id: number; error: ErrorFacts }

/** Where a worker can run this module: as JavaScript (the bundle, or a build), not as TypeScript under ts-jest. */
const WORKER_SCRIPT = import.meta.url.endsWith('.js') ? new URL(import.meta.url) : undefined

/** A second thread where there is one; otherwise the same work, on this thread. */
export function startJoinHelper(): JoinHelper {
  if (!WORKER_SCRIPT) {
    return { spread: spreadHere, match: matchBuckets, stop: async () => undefined }
  }
  return new ThreadHelper(WORKER_SCRIPT)
}

class ThreadHelper implements JoinHelper {
  private readonly worker: Worker
  private readonly pending = new Map<
    number,
    { resolve: (value: never) => void; reject: (error: Error) => void }
  >()
  private next = 0
  /** Why the thread ended, once it has. */
  private ended: Error | undefined

  constructor(script: URL) {
    this.worker = new Worker(script, { workerData: { joinWorker: true } })
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      if ('error' in reply) waiter?.reject(rebuildError(reply.error))
      else waiter?.resolve(reply.result as never)
    })
    const fail = (error: Error): void => {
      this.ended ??= error
      for (const waiter of this.pending.values()) waiter.reject(error)
      this.pending.clear()
    }
    this.worker.on('error', fail)
    this.worker.on('exit', code => fail(new Error(`the comparison's worker thread exited (${code})`)))
  }

  async spread(task: SpreadTask): Promise<Source> {
    const source = await this.call<Source>({ id: ++this.next, spread: task })
    // A Buffer arrives as a plain Uint8Array.
    return {
      ...source,
      header: Buffer.from(source.header),
      names: source.names.map(name => Buffer.from(name))
    }
  }

  match(task: MatchTask): Promise<Matched> {
    return this.call<Matched>({ id: ++this.next, match: task })
  }

  private call<T>(request: Request): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.ended) return reject(this.ended)
      this.pending.set(request.id, { resolve: resolve as (value: never) => void, reject })
      this.worker.postMessage(request)
    })
  }

  async stop(): Promise<void> {
    await this.worker.terminate()
  }
}

/** The error a task failed with in the thread, as the kind the caller knows. */
function rebuildError(error: ErrorFacts): Error {
  // (A missing key column is not among them: the one-pass walk read both headers first.)
  if (error.name === 'InvalidFileError') return new InvalidFileError(error.message)
  if (error.name === 'RecordTooLargeError')
    return new RecordTooLargeError(error.file ?? 'baseline', error.limit ?? 0)
  return new Error(error.message)
}

// In the thread started by ThreadHelper: do each task asked for, and report its result (or its error).
if (!isMainThread && (workerData as { joinWorker?: boolean } | null)?.joinWorker) {
  const port = parentPort
  port?.on('message', (request: Request) => {
    const work = 'spread' in request ? spreadHere(request.spread) : matchBuckets(request.match)
    work.then(
      result => port.postMessage({ id: request.id, result }),
      (error: Error & Omit<ErrorFacts, 'name' | 'message'>) =>
        port.postMessage({
          id: request.id,
          error: { name: error.name, message: error.message, file: error.file, limit: error.limit }
        })
    )
  })
}
