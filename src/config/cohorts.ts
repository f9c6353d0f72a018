// Several cohorts in one step: `cohort-id` as a list, and the name of each cohort's file in a folder (`path`, or a
// `compare-with` folder). inputs.ts plans each cohort's job from these.
import { Inputs } from './constants.js'
import { InputError } from '../errors.js'

export const MAX_COHORTS = 20
export const COHORT_PLACEHOLDER = '{cohort-id}'

// Amplitude cohort IDs are short alphanumeric strings; anything else (`/`, `..`, `%2F`, spaces, control characters)
// could change which API path is requested, so it is refused rather than escaped.
const COHORT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

/** The cohort IDs of `cohort-id`: one, or several separated by commas or line breaks. */
export function parseCohortIds(value: string): string[] {
  const ids = value
    .split(/[,\r\n]/)
    .map(id => id.trim())
    .filter(id => id !== '')
  if (ids.length === 0) {
    throw new InputError(Inputs.CohortId, 'is required: the ID of the Amplitude behavioral cohort')
  }
  const bad = ids.find(id => !COHORT_ID.test(id))
  if (bad !== undefined) {
    throw new InputError(
      Inputs.CohortId,
      `must be a plain cohort ID (letters, digits, '-' and '_'), got '${bad.replace(/[^\x20-\x7e]/g, '?')}'`
    )
  }
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i)
  if (repeated !== undefined) throw new InputError(Inputs.CohortId, `lists '${repeated}' twice`)
  // Windows and macOS runners' file systems ignore case: `amplitude-cohort-abc.csv` and `…-ABC.csv` would be one
  // file, each export overwriting the other's. Two IDs that differ only in case are almost surely one cohort typed
  // twice, so they are refused on every runner (a workflow must not pass on Linux and break on macOS), rather than
  // given file names that no longer say which cohort they hold.
  const folded = ids.map(id => id.toLowerCase())
  const clash = folded.findIndex((id, i) => folded.indexOf(id) !== i)
  if (clash !== -1) {
    throw new InputError(
      Inputs.CohortId,
      `lists '${ids[folded.indexOf(folded[clash])]}' and '${ids[clash]}', which differ only in case: their files ` +
        'would be one file on Windows and macOS runners. List each cohort once, as Amplitude spells its ID'
    )
  }
  if (ids.length > MAX_COHORTS) {
    throw new InputError(Inputs.CohortId, `lists ${ids.length} cohorts: at most ${MAX_COHORTS} in one step`)
  }
  return ids
}

/** The file name of a cohort's export in a folder (several cohorts, or a `compare-with` folder). */
export function cohortFileName(cohortId: string): string {
  return `amplitude-cohort-${cohortId}.csv`
}
