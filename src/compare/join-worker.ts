// The hash join's second thread: it spreads the baseline while the main thread spreads the new file (pass 1), then
// matches half of the buckets (pass 2). It runs this module, from the bundle the action runs (index.ts imports it,
// so that the thread loads this part of the action only). A worker runs JavaScript files only: under ts-jest the same
// work runs on the main thread, through the same functions.
//
// Cancellation: once the run's signal aborts, the task in flight is rejected at once with the signal's reason, and a
// flag shared with the thread tells it to stop at its next batch of rows (or bucket), closing its files; stop() waits
// for that, then terminates the thread.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import type { Cancellation } from '../runtime/cancel.js'
import { CancelledError, InvalidFileError, RecordTooLargeError } from '../errors.js'
import { matchBuckets, type Matched, type MatchTask } from './match.js'
import { type Source, type SpreadTask, spreadHere } from './spread.js'

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
export function startJoinHelper(signal?: AbortSignal): JoinHelper {
  return WORKER_SCRIPT ? new ThreadHelper(WORKER_SCRIPT, signal) : new LocalHelper(signal)
}

/** The helper's work on this thread (under ts-jest), stopped the same way: at its next batch. */
class LocalHelper implements JoinHelper {
  private stopped = false
  private readonly tasks = new Set<Promise<unknown>>()
  private readonly cancel: Cancellation

  constructor(signal?: AbortSignal) {
    this.cancel = {
      throwIfAborted: () => {
        signal?.throwIfAborted()
        if (this.stopped) throw new CancelledError('the comparison stopped')
      }
    }
  }

  spread(task: SpreadTask): Promise<Source> {
    return this.track(spreadHere(task, this.cancel))
  }

  match(task: MatchTask): Promise<Matched> {
    return this.track(matchBuckets(task, this.cancel))
  }

  private track<T>(task: Promise<T>): Promise<T> {
    this.tasks.add(task)
    return task
  }

  async stop(): Promise<void> {
    this.stopped = true
    await Promise.allSettled(this.tasks)
  }
}

class ThreadHelper implements JoinHelper {
  private readonly worker: Worker
  /** The callers waiting for a task's result (rejected at once by a cancellation). */
  private readonly callers = new Map<
    number,
    { resolve: (value: never) => void; reject: (error: Error) => void }
  >()
  /** The tasks the thread has not answered yet (even once their callers were rejected), by ID. */
  private readonly unanswered = new Map<number, () => void>()
  private readonly answered = new Set<Promise<void>>()
  private next = 0
  /** Why the thread ended, once it has. */
  private ended: Error | undefined
  /** Set to 1 to make the thread stop its task at its next batch (see the thread's side below). */
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4))
  private readonly onAbort = (): void => {
    Atomics.store(this.stopFlag, 0, 1)
    this.rejectCallers((this.signal as AbortSignal).reason as Error)
  }

  constructor(
    script: URL,
    private readonly signal?: AbortSignal
  ) {
    this.worker = new Worker(script, { workerData: { joinWorker: true, stop: this.stopFlag.buffer } })
    signal?.addEventListener('abort', this.onAbort, { once: true })
    this.worker.on('message', (reply: Reply) => {
      this.unanswered.get(reply.id)?.()
      const caller = this.callers.get(reply.id)
      this.callers.delete(reply.id)
      if ('error' in reply) caller?.reject(rebuildError(reply.error))
      else caller?.resolve(reply.result as never)
    })
    const fail = (error: Error): void => {
      this.ended ??= error
      for (const answer of this.unanswered.values()) answer()
      this.rejectCallers(error)
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
      if (this.signal?.aborted) return reject(this.signal.reason as Error)
      if (this.ended) return reject(this.ended)
      this.callers.set(request.id, { resolve: resolve as (value: never) => void, reject })
      const answered = new Promise<void>(done =>
        this.unanswered.set(request.id, () => {
          this.unanswered.delete(request.id)
          done()
        })
      )
      this.answered.add(answered)
      this.worker.postMessage(request)
    })
  }

  private rejectCallers(error: Error): void {
    for (const caller of this.callers.values()) caller.reject(error)
    this.callers.clear()
  }

  async stop(): Promise<void> {
    this.signal?.removeEventListener('abort', this.onAbort)
    // A task still running (the comparison failed on this side, or was cancelled) stops at its next batch and closes
    // its files: its answer is waited for, then the thread ends.
    Atomics.store(this.stopFlag, 0, 1)
    await Promise.all(this.answered)
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

// In the thread started by ThreadHelper: do each task asked for, and report its result (or its error). A task stops
// at its next batch once the main thread sets the shared flag.
const data = workerData as { joinWorker?: boolean; stop?: SharedArrayBuffer } | null
if (!isMainThread && data?.joinWorker) {
  const port = parentPort
  const stopFlag = new Int32Array(data.stop as SharedArrayBuffer)
  const cancel: Cancellation = {
    throwIfAborted: () => {
      if (Atomics.load(stopFlag, 0) !== 0) throw new CancelledError()
    }
  }
  port?.on('message', (request: Request) => {
    const work =
      'spread' in request ? spreadHere(request.spread, cancel) : matchBuckets(request.match, cancel)
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
