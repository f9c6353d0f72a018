import * as core from '@actions/core'
import type { JobStatus } from './amplitude-client.js'
import { Outputs } from './constants.js'
import { formatBytes, formatDuration } from './duration.js'
import type { Redactor } from './errors.js'

/** What the run has learnt so far; filled in step by step so a failed run still reports what it knew. */
export interface RunReport {
  cohortId: string
  requestId?: string
  finalStatus?: JobStatus
  path?: string
  members?: number
  bytes?: number
  sha256?: string
  artifactName?: string
  artifactId?: number
  artifactUrl?: string
  startedAt: number
  error?: string
}

export function setRequestId(report: RunReport, requestId: string): void {
  report.requestId = requestId
  core.setOutput(Outputs.RequestId, requestId)
}

export function setFinalStatus(report: RunReport, status: JobStatus): void {
  report.finalStatus = status
  core.setOutput(Outputs.FinalStatus, status)
}

/** Sets the file outputs and the artifact outputs (empty when nothing was uploaded). */
export function setResultOutputs(report: RunReport): void {
  core.setOutput(Outputs.CohortFile, report.path ?? '')
  core.setOutput(Outputs.MemberCount, report.members ?? '')
  core.setOutput(Outputs.Bytes, report.bytes ?? '')
  core.setOutput(Outputs.Sha256, report.sha256 ?? '')
  core.setOutput(Outputs.ArtifactId, report.artifactId ?? '')
  core.setOutput(Outputs.ArtifactUrl, report.artifactUrl ?? '')
}

/** Writes the job summary: a table of what was exported, or of what was known when the run failed. */
export async function writeSummary(report: RunReport, redactor: Redactor): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const rows: [string, string][] = [
    // The cohort ID may be the raw, rejected input: escape it like any text from outside.
    ['Cohort', `<code>${escapeHtml(report.cohortId)}</code>`],
    ['Request ID', report.requestId ? `<code>${report.requestId}</code>` : '—'],
    ['Final status', report.finalStatus ?? '—'],
    ['Members', report.members !== undefined ? report.members.toLocaleString('en-US') : '—'],
    ['Size', report.bytes !== undefined ? `${formatBytes(report.bytes)} (${report.bytes} bytes)` : '—'],
    ['SHA-256', report.sha256 ? `<code>${report.sha256}</code>` : '—'],
    ['Duration', formatDuration(Date.now() - report.startedAt)],
    [
      'Artifact',
      report.artifactUrl ? `<a href="${report.artifactUrl}">${report.artifactName}</a>` : 'not uploaded'
    ]
  ]
  const summary = core.summary
    .addHeading(report.error ? 'Amplitude cohort export failed' : 'Amplitude cohort export', 2)
    .addTable([
      [
        { data: 'Field', header: true },
        { data: 'Value', header: true }
      ],
      ...rows
    ])
  if (report.error) summary.addRaw(`\n**Error:** ${escapeHtml(redactor.redact(report.error))}\n`, true)
  await summary.write()
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
