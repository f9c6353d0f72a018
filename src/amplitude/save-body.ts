import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import type { FileResponse } from './client.js'
import { IdleTimer } from '../runtime/clock.js'
import { CancelledError, InvalidFileError, messageOf, TransientError, WriteError } from '../errors.js'
import { CsvRecordCounter } from './row-counter.js'

export interface SavedFile {
  /** Size of the file written (after decompression). */
  bytes: number
  /** Bytes received on the wire (compressed size when gzip). */
  wireBytes: number
  /** Data rows: records minus the header row. */
  members: number
  sha256: string
  gzip: boolean
}

export interface SaveOptions {
  /** Longest silence allowed between two chunks of the body. */
  idleTimeoutMs: number
  signal: AbortSignal
  /** Called every 10 s with the bytes received so far. */
  onProgress?: (wireBytes: number, elapsedMs: number) => void
}

const PROGRESS_EVERY_MS = 10_000

const GZIP_MAGIC = [0x1f, 0x8b]

/** Whether a file's first bytes are gzip's magic number. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]
}
// Errors of the file system, not the network: a fresh download would fail the same way.
const WRITE_ERRORS = new Set([
  'ENOSPC',
  'EDQUOT',
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EMFILE'
])
// Large buffers between stages: fewer, larger writes; the whole pipeline still holds a few MiB at most, whatever the
// size of the file (back-pressure pauses the socket when the disk is slower).
const STAGE_BUFFER = 1 << 20

/** Reads the first bytes of the body without consuming them, to recognise gzip that has no Content-Encoding. */
async function peek(body: IncomingMessage, count: number): Promise<Buffer> {
  const seen: Buffer[] = []
  let size = 0
  while (size < count) {
    const chunk = body.read() as Buffer | null
    if (chunk !== null) {
      seen.push(chunk)
      size += chunk.length
      continue
    }
    if (body.readableEnded || body.destroyed) break
    await new Promise<void>(resolve => {
      const done = (): void => {
        body.off('readable', done)
        body.off('end', done)
        body.off('close', done)
        body.off('error', done)
        resolve()
      }
      body.on('readable', done)
      body.on('end', done)
      body.on('close', done)
      body.on('error', done)
    })
    if (body.readableEnded || body.destroyed) {
      const rest = body.read() as Buffer | null
      if (rest !== null) {
        seen.push(rest)
        size += rest.length
      }
      break
    }
  }
  const head = Buffer.concat(seen)
  if (head.length > 0) body.unshift(head)
  return head
}

/** Hashes and counts CSV records of the decompressed bytes as they pass to the file. */
class Inspect extends Transform {
  readonly hash = createHash('sha256')
  readonly counter = new CsvRecordCounter()
  bytes = 0

  constructor() {
    super({ highWaterMark: STAGE_BUFFER })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk)
    this.counter.push(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }
}

/**
 * Streams a response body into `tempPath`: gunzips it when it is gzip (by Content-Encoding or by its magic bytes),
 * hashes it and counts its members on the way, and checks that it is complete (Content-Length, no cut inside a
 * quoted field, not empty). Never buffers the file in memory. Rejects with TransientError for what a fresh download
 * may fix (a dropped or stalled connection, a short body) and InvalidFileError for a body that is not a valid file.
 * The caller owns `tempPath` and removes it on failure.
 */
export async function saveBody(
  file: FileResponse,
  tempPath: string,
  options: SaveOptions
): Promise<SavedFile> {
  const { body } = file
  const started = Date.now()
  let wireBytes = 0
  let failure: Error | undefined
  const fail = (error: Error): void => {
    failure ??= error
    body.destroy(error)
  }
  const onAbort = (): void => fail(new CancelledError())
  options.signal.addEventListener('abort', onAbort, { once: true })
  if (options.signal.aborted) onAbort()
  const idle = new IdleTimer(options.idleTimeoutMs, () =>
    fail(new TransientError(`the download stalled: no data for ${options.idleTimeoutMs}ms`))
  )
  const { onProgress } = options
  const progress = onProgress
    ? setInterval(() => onProgress(wireBytes, Date.now() - started), PROGRESS_EVERY_MS)
    : undefined
  try {
    const head = await peek(body, GZIP_MAGIC.length)
    const magic = isGzip(head)
    const gzip = magic || file.contentEncoding === 'gzip' || file.contentEncoding === 'x-gzip'
    if (file.contentEncoding && !gzip && file.contentEncoding !== 'identity') {
      throw new InvalidFileError(`the file has an unsupported Content-Encoding '${file.contentEncoding}'`)
    }
    body.on('data', (chunk: Buffer) => {
      wireBytes += chunk.length
      idle.touch()
    })
    const inspect = new Inspect()
    const out = createWriteStream(tempPath, { flags: 'w', highWaterMark: STAGE_BUFFER })
    try {
      if (gzip) {
        await pipeline(body, createGunzip({ chunkSize: 256 * 1024 }), inspect, out)
      } else {
        await pipeline(body, inspect, out)
      }
    } catch (error) {
      throw failure ?? asDownloadError(error, wireBytes)
    }
    if (failure) throw failure
    checkComplete(wireBytes, file.contentLength, inspect)
    return {
      bytes: inspect.bytes,
      wireBytes,
      members: Math.max(0, inspect.counter.records - 1),
      sha256: inspect.hash.digest('hex'),
      gzip
    }
  } finally {
    idle.stop()
    clearInterval(progress)
    options.signal.removeEventListener('abort', onAbort)
    if (!body.destroyed && !body.readableEnded) body.destroy()
  }
}

/** What a failed pipeline means: cancelled, a bad gzip body, a full disk, or an interrupted download. */
function asDownloadError(error: unknown, wireBytes: number): Error {
  if (error instanceof CancelledError || error instanceof TransientError) return error
  const code = (error as NodeJS.ErrnoException).code ?? ''
  // zlib's errors carry a Z_ code (a bad header, bad data, or a stream cut short).
  if (code.startsWith('Z_')) return new InvalidFileError(`the file is not valid gzip (${messageOf(error)})`)
  if (WRITE_ERRORS.has(code)) return new WriteError(code)
  return new TransientError(
    `the download was interrupted after ${wireBytes} bytes (${code || messageOf(error)})`
  )
}

/** A body received whole: every byte Content-Length announced, not empty, not cut inside a quoted field. */
function checkComplete(wireBytes: number, contentLength: number | undefined, inspect: Inspect): void {
  if (contentLength !== undefined && wireBytes !== contentLength) {
    throw new TransientError(
      `the download is incomplete: received ${wireBytes} of ${contentLength} bytes (Content-Length)`
    )
  }
  if (inspect.bytes === 0) {
    throw new InvalidFileError('Amplitude returned an empty file although the export job reported complete')
  }
  if (!inspect.counter.end()) {
    throw new InvalidFileError('the file ends inside a quoted CSV field: it is truncated or malformed')
  }
}
