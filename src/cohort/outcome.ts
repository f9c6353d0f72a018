// What one cohort's export yields: the export steps' result, and the outcome of the cohort's whole export (exported,
// re-used or failed), from which the outputs and the summary are rendered. Values only: nothing here logs or sets
// an output.
import type { UploadedArtifact } from '../github/artifact.js'
import type { Membership } from '../amplitude/download.js'
import type { JobStatus } from '../amplitude/job-status.js'
import type { Scheduler } from '../net/scheduler.js'
import type { RunContext } from '../runtime/toolkit.js'
import type { ChangeReport } from './changes.js'
import type { CohortLog } from './phases.js'
import type { RequestBudget } from './request-budget.js'

/** Amplitude requests spent, by step. */
export type RequestCounts = Record<'request' | 'status' | 'file' | 'storage', number>

/** What the three export steps (request, wait, download) return. */
export interface ExportResult {
  requestId: string
  /** When step 1 was sent; undefined for a resumed request (`request-id`). */
  requestedAt?: number
  finalStatus: JobStatus
  membership: Membership
  requests: RequestCounts
}

/** One cohort's export, as far as it got: every fact is undefined until known; `error` when it failed. */
export interface CohortOutcome {
  cohortId: string
  startedAt: number
  endedAt: number
  requestId?: string
  requestedAt?: number
  finalStatus?: JobStatus
  membership?: Membership
  changes?: ChangeReport
  artifact?: UploadedArtifact & { name: string }
  requests: RequestCounts
  /** The message the cohort failed with, advice included. */
  error?: string
}

/** Facts as they become known during an export. */
export type Progress = Partial<
  Pick<
    CohortOutcome,
    'requestId' | 'requestedAt' | 'finalStatus' | 'membership' | 'changes' | 'artifact' | 'requests'
  >
>

/** What one cohort's export is given. */
export interface CohortContext extends RunContext {
  log: CohortLog
  /** Shared by the cohorts of a step that exports several. */
  scheduler?: Scheduler
  /** The month's cohort requests, shared by the step's cohorts: asked before each step-1 request. */
  budget?: RequestBudget
  /** Called with each fact as soon as it is known (the request ID, each job status, …), when someone listens. */
  onProgress?: (progress: Progress) => void
}

/** A cohort's context inside its export, where the facts are always gathered. */
export type ReportingContext = CohortContext & { onProgress: (progress: Progress) => void }
