// The checks a baseline passes before anything is spent on it: a CSV with the key column, records of a sane length,
// and a downloaded artifact whose membership file matches its manifest.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import {
  BaselineError,
  CancelledError,
  InvalidFileError,
  MissingKeyColumnError,
  RecordTooLargeError
} from '../errors.js'
import { formatBytes } from '../report/format.js'
import { KeyedRows } from '../compare/keyed-rows.js'
import { type Manifest, readManifest } from '../cohort/manifest.js'

/**
 * Reads a baseline through to its end before anything is spent on it: its header has the key column, it ends where
 * a record may end, and no record is longer than MAX_RECORD_BYTES. Yields to the event loop as it goes, so a
 * cancellation is noticed.
 */
export async function checkCsv(csv: string, source: string, key: string, signal: AbortSignal): Promise<void> {
  let rows: KeyedRows | undefined
  try {
    rows = new KeyedRows(csv, 'baseline', key)
    for (let n = 1; rows.next(); n++) {
      if (n % 65_536 === 0) {
        await new Promise(resolve => setImmediate(resolve))
        if (signal.aborted) throw new CancelledError()
      }
    }
  } catch (error) {
    throw asBaselineError(error, source, key)
  } finally {
    rows?.close()
  }
}

/** What reading a baseline can fail with, as the BaselineError naming it; any other error as it is. */
export function asBaselineError(error: unknown, source: string, key: string): unknown {
  if (error instanceof MissingKeyColumnError && error.file === 'baseline') {
    return new BaselineError(source, `it has no column '${key}'`)
  }
  if (error instanceof InvalidFileError) return new BaselineError(source, 'it is not a complete CSV file')
  if (error instanceof RecordTooLargeError && error.file === 'baseline') {
    return new BaselineError(
      source,
      `it has a CSV record over ${formatBytes(error.limit)}, longer than any membership row`
    )
  }
  return error
}

/**
 * A downloaded (already unzipped) artifact's manifest and membership file, checked against each other. Throws
 * BaselineError when it has no valid manifest, the file is missing, or its SHA-256 is not the manifest's.
 */
export async function readDownloaded(
  dir: string,
  source: string
): Promise<{ manifest: Manifest; csv: string }> {
  const manifests = (await readdir(dir)).filter(entry => entry.endsWith('.json'))
  if (manifests.length === 0) throw new BaselineError(source, 'its artifact has no manifest')
  const manifest = readManifest(await readFile(join(dir, manifests[0]), 'utf8'), source)
  return { manifest, csv: await checkFile(dir, manifest, source) }
}

/** The manifest's membership file in `dir`, when its SHA-256 is the manifest's. */
export async function checkFile(dir: string, manifest: Manifest, source: string): Promise<string> {
  const csv = join(dir, manifest.file)
  const sha256 = await hashFile(csv).catch(() => undefined)
  if (sha256 === undefined) throw new BaselineError(source, `its artifact has no '${manifest.file}'`)
  if (sha256 !== manifest.sha256) {
    throw new BaselineError(
      source,
      `its file's SHA-256 (${sha256}) is not the one its manifest records (${manifest.sha256})`
    )
  }
  return csv
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}
