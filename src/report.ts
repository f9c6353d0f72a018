import type { UploadedArtifact } from './artifact.js'
import type { ChangeReport } from './changes.js'
import { Outputs } from './constants.js'
import type { Membership } from './download.js'
import { formatBytes, formatCount, formatDuration } from './format.js'
import type { HistoryEntry } from './history.js'
import { escapeHtml, htmlTable } from './html.js'
import type { JobStatus } from './job-status.js'
import type { Reused } from './reuse.js'
import type { Toolkit } from './toolkit.js'
import { trendMarkdown, trendSentence } from './trend.js'

/** One cohort's facts in the `results` output (null where unknown). */
export interface CohortResult {
  requestId: string | null
  finalStatus: string | null
  memberCount: number | null
  bytes: number | null
  sha256: string | null
  cohortFile: string | null
  artifactId: number | null
  artifactUrl: string | null
  baseline: string
  fullSync: boolean | null
  enteringCount: number | null
  exitingCount: number | null
  changedCount: number | null
  skippedCount: number | null
  error?: string
}

/**
 * What the run has learnt so far, filled in step by step so a failed run still reports what it knew. Sets the step's
 * outputs as facts arrive and writes the job summary at the end.
 */
export class Report {
  private requestId?: string
  private finalStatus?: JobStatus
  private membership?: Membership
  private artifact?: UploadedArtifact & { name: string }
  private error?: string
  private changes?: ChangeReport
  private requestedAt?: number
  /** Amplitude requests spent, by step (the client's live counters). */
  requests = { request: 0, status: 0, file: 0, storage: 0 }

  constructor(
    private readonly toolkit: Toolkit,
    /** As given: it may be the raw, rejected input. */
    private readonly cohortId: string,
    private readonly startedAt: number,
    private readonly now: () => number
  ) {}

  /** `requestedAt` is when step 1 was sent: undefined for a resumed request (`request-id`). */
  setRequestId(requestId: string, requestedAt?: number): void {
    this.requestId = requestId
    this.requestedAt = requestedAt
    this.toolkit.setOutput(Outputs.RequestId, requestId)
  }

  setStatus(status: JobStatus): void {
    this.finalStatus = status
    this.toolkit.setOutput(Outputs.FinalStatus, status)
  }

  /** What the manifest records of this export, once it has been downloaded. */
  facts(exportedAt: number): {
    cohortId: string
    requestId: string
    finalStatus: string
    exportedAt: string
  } {
    return {
      cohortId: this.cohortId,
      requestId: this.requestId ?? '',
      finalStatus: this.finalStatus ?? 'complete',
      exportedAt: new Date(exportedAt).toISOString()
    }
  }

  /** Everything from the manifest of an export an earlier attempt of this run uploaded (see reuse.ts). */
  setReused(reused: Reused): void {
    const { manifest } = reused
    this.toolkit.info(
      `Re-using the export that an earlier attempt of this run uploaded (request '${manifest.requestId}', ` +
        `artifact id ${reused.artifact.id}): no Amplitude request is spent`
    )
    this.setRequestId(manifest.requestId)
    this.setStatus(manifest.finalStatus as JobStatus)
    this.setMembership({
      path: reused.path,
      members: manifest.memberCount,
      bytes: manifest.bytes,
      wireBytes: manifest.bytes,
      sha256: manifest.sha256,
      gzip: false
    })
    this.changes = {
      baseline: manifest.baseline,
      fullSync: manifest.fullSync ?? null,
      entering: manifest.enteringCount,
      exiting: manifest.exitingCount,
      changed: manifest.changedCount,
      skipped: manifest.skippedCount ?? null,
      files: reused.files,
      history: Array.isArray(manifest.history) ? manifest.history : []
    }
    this.artifact = reused.artifact
  }

  setMembership(membership: Membership): void {
    this.membership = membership
  }

  setChanges(changes: ChangeReport): void {
    this.changes = changes
  }

  setArtifact(name: string, artifact: UploadedArtifact | undefined): void {
    if (artifact) this.artifact = { ...artifact, name }
  }

  /** Sets the file and artifact outputs (artifact ones empty when nothing was uploaded) and logs the final line. */
  succeed(): void {
    const file = this.membership
    if (!file) throw new Error('no membership file to report')
    const { toolkit } = this
    toolkit.setOutput(Outputs.CohortFile, file.path)
    toolkit.setOutput(Outputs.MemberCount, String(file.members))
    toolkit.setOutput(Outputs.Bytes, String(file.bytes))
    toolkit.setOutput(Outputs.Sha256, file.sha256)
    toolkit.setOutput(Outputs.ArtifactId, this.artifact ? String(this.artifact.id) : '')
    toolkit.setOutput(Outputs.ArtifactUrl, this.artifact?.url ?? '')
    const changes = this.changes
    const count = (n: number | null | undefined): string => (n === null || n === undefined ? '' : String(n))
    toolkit.setOutput(Outputs.Baseline, changes?.baseline ?? 'none')
    const fullSync = changes?.fullSync
    toolkit.setOutput(Outputs.FullSync, fullSync === null || fullSync === undefined ? '' : String(fullSync))
    toolkit.setOutput(Outputs.EnteringCount, count(changes?.entering))
    toolkit.setOutput(Outputs.ExitingCount, count(changes?.exiting))
    toolkit.setOutput(Outputs.ChangedCount, count(changes?.changed))
    toolkit.setOutput(Outputs.SkippedCount, count(changes?.skipped))
    toolkit.setOutput(Outputs.EnteringFile, changes?.files.entering ?? '')
    toolkit.setOutput(Outputs.ExitingFile, changes?.files.exiting ?? '')
    toolkit.setOutput(Outputs.ChangedFile, changes?.files.changed ?? '')
    toolkit.setOutput(Outputs.SkippedFile, changes?.files.skipped ?? '')
    const history = changes?.history ?? []
    if (history.length > 0) {
      const { sentence, outside } = trendSentence(history)
      toolkit.info(sentence)
      // With fewer than two earlier exports any change is "outside the range": not worth a notice.
      if (outside && history.length >= 3) toolkit.notice(`Cohort '${this.cohortId}': ${sentence}`)
    }
    const sent = this.requests
    toolkit.info(
      `Exported cohort '${this.cohortId}': ${file.members} members, ${formatBytes(file.bytes)}, ` +
        `sha256 ${file.sha256}, in ${formatDuration(this.now() - this.startedAt)} ` +
        `(cohort requests spent: ${sent.request}; Amplitude requests: ${sent.request} export, ${sent.status} status, ` +
        `${sent.file} file, ${sent.storage} storage)`
    )
  }

  /** This cohort's entry of the `results` output (several cohorts): the single-cohort outputs' facts, and `error`. */
  result(): CohortResult {
    // A failed cohort's file (e.g. one that min-members refused) is not reported as its export.
    const file = this.error ? undefined : this.membership
    const changes = this.changes
    return {
      requestId: this.requestId ?? null,
      finalStatus: this.finalStatus ?? null,
      memberCount: file?.members ?? null,
      bytes: file?.bytes ?? null,
      sha256: file?.sha256 ?? null,
      cohortFile: file?.path ?? null,
      artifactId: this.artifact?.id ?? null,
      artifactUrl: this.artifact?.url ?? null,
      baseline: changes?.baseline ?? 'none',
      fullSync: changes?.fullSync ?? null,
      enteringCount: changes?.entering ?? null,
      exitingCount: changes?.exiting ?? null,
      changedCount: changes?.changed ?? null,
      skippedCount: changes?.skipped ?? null,
      ...(this.error ? { error: this.error } : {})
    }
  }

  /** The exports of this cohort so far (empty before the comparison ran). */
  get history(): HistoryEntry[] {
    return this.changes?.history ?? []
  }

  get failed(): boolean {
    return this.error !== undefined
  }

  /** The request to resume with `request-id` after a failure, when step 1 got that far. */
  get resumable(): { requestId: string; requestedAt?: number } | undefined {
    return this.requestId ? { requestId: this.requestId, requestedAt: this.requestedAt } : undefined
  }

  fail(message: string): void {
    this.error = message
    this.toolkit.setFailed(message)
  }

  /**
   * Writes the job summary: a table of what was exported, or of what was known when the run failed, then `footer`
   * (the month's cohort requests).
   */
  async writeSummary(footer = ''): Promise<void> {
    const file = this.membership
    const rows: [string, string][] = [
      ['Cohort', `<code>${escapeHtml(this.cohortId)}</code>`],
      ['Request ID', this.requestId ? `<code>${this.requestId}</code>` : '—'],
      ['Final status', this.finalStatus ?? '—'],
      ['Members', file ? file.members.toLocaleString('en-US') : '—'],
      ['Size', file ? `${formatBytes(file.bytes)} (${file.bytes} bytes)` : '—'],
      ['SHA-256', file ? `<code>${file.sha256}</code>` : '—'],
      ['Duration', formatDuration(this.now() - this.startedAt)],
      ['Cohort requests spent', String(this.requests.request)],
      [
        'Artifact',
        this.artifact ? `<a href="${this.artifact.url}">${this.artifact.name}</a>` : 'not uploaded'
      ],
      ...changeRows(this.changes)
    ]
    const heading = this.error ? 'Amplitude cohort export failed' : 'Amplitude cohort export'
    let text = `<h2>${heading}</h2>\n`
    const history = this.changes?.history ?? []
    if (!this.error && history.length > 0) {
      text += `\n${historySection(this.cohortId, history)}\n`
    }
    text += `${htmlTable(['Field', 'Value'], rows)}\n`
    if (this.error) text += `\n**Error:** ${escapeHtml(this.error)}\n\n`
    text += footer
    await this.toolkit
      .appendSummary(text)
      .catch(error => this.toolkit.warning(`Could not write the job summary: ${(error as Error).message}`))
  }
}

/** The summary's view of the exports so far: the sentence about tonight, then the charts and their table. */
export function historySection(cohortId: string, history: HistoryEntry[]): string {
  return `${trendSentence(history).sentence}\n\n${trendMarkdown([{ cohortId, history }])}`
}

/** The summary rows of the comparison, when one ran. */
function changeRows(changes: ChangeReport | undefined): [string, string][] {
  if (!changes || changes.entering === null) return []
  const baseline =
    changes.baseline === 'none'
      ? 'none: a full sync (every member is entering; replace the whole list)'
      : changes.baseline === 'file'
        ? "the file given as 'compare-with'"
        : changes.baselineUrl
          ? `<a href="${changes.baselineUrl}">run ${escapeHtml(changes.baseline)}</a>`
          : `run ${escapeHtml(changes.baseline)}`
  return [
    ['Compared with', baseline],
    ['Entering', formatCount(changes.entering)],
    ['Exiting', formatCount(changes.exiting)],
    ['Changed', formatCount(changes.changed)],
    ['Skipped (empty or repeated key)', formatCount(changes.skipped)]
  ]
}
