// The phases of one cohort's export, in order, and their titles: the log group each phase writes in with one cohort,
// and the group that gathers every cohort's lines of that phase with several (report/phase-log.ts).
import type { Log, Toolkit } from '../runtime/toolkit.js'

export enum Phase {
  Prepare,
  Request,
  Wait,
  Download,
  Compare,
  Upload,
  Report
}

/** Each phase's log group: `one` with one cohort, `several` with several. */
export const PHASE_TITLES: Record<Phase, { one: string; several: string }> = {
  [Phase.Prepare]: { one: 'Prepare', several: 'Prepare (baselines, re-use)' },
  [Phase.Request]: { one: 'Request the cohort export', several: 'Request the cohort exports' },
  [Phase.Wait]: { one: 'Wait for the export job', several: 'Wait for the export jobs' },
  [Phase.Download]: { one: 'Download the membership file', several: 'Download the membership files' },
  [Phase.Compare]: { one: 'Compare with the last export', several: 'Compare with the last exports' },
  [Phase.Upload]: { one: 'Upload the artifact', several: 'Upload the artifacts' },
  [Phase.Report]: { one: 'Report', several: 'Report' }
}

/** Where one cohort's export logs: lines, and a group per phase. */
export interface CohortLog extends Log {
  group<T>(phase: Phase, fn: () => Promise<T>): Promise<T>
}

/** One cohort's log straight into the step's: each phase in its own group. */
export function stepLog(toolkit: Toolkit): CohortLog {
  return {
    info: message => toolkit.info(message),
    debug: message => toolkit.debug(message),
    warning: message => toolkit.warning(message),
    notice: message => toolkit.notice(message),
    group: (phase, fn) => toolkit.group(PHASE_TITLES[phase].one, fn)
  }
}
