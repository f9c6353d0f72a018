import { join, resolve } from 'node:path'
import { cohortFileName } from './cohorts.js'
import { Defaults, Inputs } from './constants.js'
import { InputError } from '../errors.js'
import type { Read } from './values.js'
import type { Toolkit } from '../runtime/toolkit.js'

/** The inputs of the comparison with the last export: what to compare with, by which column, and the exit limit. */
export type CompareWith =
  { kind: 'none' } | { kind: 'previous-run'; token: string } | { kind: 'file'; path: string; given: string }

export type MaxExiting = { count: number } | { percent: number }

/**
 * Each cohort's baseline. A path names the file with one cohort, and with several the folder that holds each one's
 * `amplitude-cohort-<id>.csv`.
 */
export function parseCompareWith(
  read: Read,
  env: Toolkit['env'],
  token: string,
  several: boolean
): (cohortId: string) => CompareWith {
  const value = read(Inputs.CompareWith)
  if (value === '' || value === 'none') return () => ({ kind: 'none' })
  if (value === 'previous-run') {
    if (!token) {
      throw new InputError(
        Inputs.GithubToken,
        `is required with '${Inputs.CompareWith}: previous-run' (the default is \${{ github.token }})`
      )
    }
    return () => ({ kind: 'previous-run', token })
  }
  if (/[\r\n]/.test(value)) throw new InputError(Inputs.CompareWith, 'must be none, previous-run or one path')
  // Relative to the workspace; an absolute path stays as it is.
  const path = resolve(env.GITHUB_WORKSPACE || process.cwd(), value)
  if (!several) return () => ({ kind: 'file', path, given: value })
  return cohortId => ({
    kind: 'file',
    path: join(path, cohortFileName(cohortId)),
    given: join(value, cohortFileName(cohortId))
  })
}

export function parseCompareKey(read: Read): string {
  const value = read(Inputs.CompareKey)
  if (value === '') {
    throw new InputError(
      Inputs.CompareKey,
      `must name the column that identifies a member (such as ${Defaults.compareKey})`
    )
  }
  if ([...value].some(c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new InputError(Inputs.CompareKey, 'must not contain control characters')
  }
  return value
}

export function parseMaxExiting(read: Read): MaxExiting | undefined {
  const value = read(Inputs.MaxExiting)
  if (value === '') return undefined
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value)
  if (percent && Number(percent[1]) <= 100) return { percent: Number(percent[1]) }
  if (/^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return { count: Number(value) }
  throw new InputError(
    Inputs.MaxExiting,
    `must be a whole number of members or a percentage of the baseline from 0% to 100% (such as 5%), got '${value}'`
  )
}

/** What a lost baseline does: fail the run (the default), or make this run a full sync. */
export type OnMissingBaseline = 'fail' | 'full'

export function parseOnMissingBaseline(read: Read): OnMissingBaseline {
  const value = read(Inputs.OnMissingBaseline).toLowerCase()
  if (value === '' || value === 'fail') return 'fail'
  if (value === 'full') return 'full'
  throw new InputError(
    Inputs.OnMissingBaseline,
    `must be 'fail' or 'full', got '${read(Inputs.OnMissingBaseline)}'`
  )
}
