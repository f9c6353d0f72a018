// The baseline: the export the downstream last received, found and checked before any Amplitude request is spent.
// With `previous-run` it is the artifact of the newest earlier run of this workflow, on this branch, in this
// repository, whose whole run succeeded (delivered). With a path, the file there.
import { createReadStream, createWriteStream } from 'node:fs'
import { copyFile, link, mkdtemp, open, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import type { SpendEntry } from '../cohort/budget.js'
import { Inputs } from '../config/constants.js'
import { MAX_RECORD_BYTES } from '../csv/csv-cursor.js'
import {
  BaselineError,
  BaselineGoneError,
  CancelledError,
  InputError,
  messageOf,
  RecordTooLargeError
} from '../errors.js'
import type { CohortJob } from '../config/inputs.js'
import { type Manifest } from '../cohort/manifest.js'
import { isGzip } from '../amplitude/save-body.js'
import type { RunContext } from '../runtime/toolkit.js'
import { asBaselineError, checkCsv } from './baseline-checks.js'
import { fromPreviousRun } from './previous-run.js'

export interface Baseline {
  /** `file`, or the ID of the run whose artifact it is. */
  source: string
  csv: string
  /** The run's page, for the summary. */
  runUrl?: string
  manifest?: Manifest
  /** Removes what was downloaded or inflated. */
  dispose(): Promise<void>
}

/**
 * Finds and fetches the baseline. Undefined when there is none: a first export, or (with `on-missing-baseline:
 * full`) a lost one; a notice or warning says which. Throws BaselineGoneError when the last delivered export is gone
 * and BaselineError when one exists but cannot be used.
 */
/** What finding the baseline reads of the cohort's job. */
export type BaselineJob = Pick<
  CohortJob,
  | 'compareWith'
  | 'onMissingBaseline'
  | 'path'
  | 'compareKey'
  | 'requestTimeoutMs'
  | 'timeoutMs'
  | 'artifactName'
>

/** What finding the baseline learnt: the baseline, and this cohort's earlier exports this month (for the budget). */
export interface BaselineLookup {
  baseline?: Baseline
  /**
   * One entry per earlier run of this repository and branch whose artifact of this name was created this month (UTC),
   * delivered or not: what the month's count sees beyond the baseline's history (a night whose import failed spent
   * its request too). Empty unless `compare-with` is `previous-run`.
   */
  monthExports: SpendEntry[]
}

export async function findBaseline(inputs: BaselineJob, context: RunContext): Promise<BaselineLookup> {
  const compare = inputs.compareWith
  // Filled as the artifacts are looked through, so that it is known even when the baseline turns out to be gone.
  const monthExports: SpendEntry[] = []
  if (compare.kind === 'none') return { monthExports }
  try {
    const baseline =
      compare.kind === 'file'
        ? await fromFile(compare.path, compare.given, inputs, context.signal)
        : await fromPreviousRun(inputs, compare.token, context, monthExports)
    return { baseline, monthExports }
  } catch (error) {
    if (!(error instanceof BaselineGoneError) || inputs.onMissingBaseline === 'fail') throw error
    context.log.warning(
      `${error.message}. '${Inputs.OnMissingBaseline}' is 'full': this run is a full sync (fullSync is true): ` +
        "import 'cohortFile' as a replacement of the whole list"
    )
    return { monthExports }
  }
}

/** A baseline file given by path: checked completely (CSV, key column, record sizes) before a request is spent. */
async function fromFile(
  path: string,
  given: string,
  inputs: BaselineJob,
  signal: AbortSignal
): Promise<Baseline> {
  const info = await stat(path).catch(() => undefined)
  if (!info) throw new BaselineGoneError(`'${given}' does not exist`, true)
  if (!info.isFile()) throw new InputError(Inputs.CompareWith, `names no file: '${given}'`)
  const head = Buffer.alloc(2)
  const file = await open(path)
  await file.read(head, 0, 2, 0).finally(() => file.close())
  const gzip = isGzip(head)
  // A copy of its own (a hard link when it can be): `path` may be that very file, and the download replaces it.
  const dir = await mkdtemp(join(dirname(inputs.path), '.baseline-'))
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true })
  const csv = join(dir, 'baseline.csv')
  try {
    if (gzip) {
      await pipeline(
        createReadStream(path),
        createGunzip(),
        new LineLimit(MAX_RECORD_BYTES),
        createWriteStream(csv),
        {
          signal
        }
      ).catch(error => {
        if (signal.aborted) throw new CancelledError()
        if (error instanceof RecordTooLargeError) throw asBaselineError(error, 'file', inputs.compareKey)
        throw new BaselineError('file', `it is gzip that does not inflate (${messageOf(error)})`)
      })
    } else {
      await link(path, csv).catch(() => copyFile(path, csv))
    }
    await checkCsv(csv, 'file', inputs.compareKey, signal)
    return { source: 'file', csv, dispose }
  } catch (error) {
    await dispose()
    throw error
  }
}

const LF = 0x0a

/** Passes bytes through, failing once more than `limit` of them go by without a line feed. */
class LineLimit extends Transform {
  /** Bytes since the last line feed. */
  private run = 0
  constructor(private readonly limit: number) {
    super()
  }
  override _transform(
    chunk: Buffer,
    _encoding: string,
    done: (error?: Error | null, data?: Buffer) => void
  ): void {
    const first = chunk.indexOf(LF)
    if (first === -1) {
      this.run += chunk.length
      return this.run > this.limit ? done(new RecordTooLargeError('baseline', this.limit)) : done(null, chunk)
    }
    let longest = this.run + first
    // Lines inside the chunk can be too long only in a chunk longer than the limit.
    for (let at = first; chunk.length - at > this.limit && longest <= this.limit;) {
      const next = chunk.indexOf(LF, at + 1)
      longest = Math.max(longest, (next === -1 ? chunk.length : next) - at - 1)
      if (next === -1) break
      at = next
    }
    if (longest > this.limit) return done(new RecordTooLargeError('baseline', this.limit))
    this.run = chunk.length - chunk.lastIndexOf(LF) - 1
    done(null, chunk)
  }
}
