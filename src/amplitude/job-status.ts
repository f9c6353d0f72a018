/** The export job's status, in the one vocabulary the `finalStatus` output uses. */
export type JobStatus = 'queued' | 'computing' | 'complete' | 'failed' | 'unknown'

/** Maps both status vocabularies (the live API's `JOB INPROGRESS` and the documented `computing`) onto one. */
export function normalizeStatus(value: unknown): JobStatus {
  if (typeof value !== 'string') return 'unknown'
  const text = value
    .trim()
    .toUpperCase()
    .replace(/[\s_-]+/g, ' ')
  switch (text) {
    case 'QUEUED':
    case 'JOB QUEUED':
      return 'queued'
    case 'COMPUTING':
    case 'JOB INPROGRESS':
    case 'JOB IN PROGRESS':
      return 'computing'
    case 'COMPLETE':
    case 'JOB COMPLETED':
      return 'complete'
    case 'FAILED':
    case 'JOB FAILED':
      return 'failed'
    default:
      return 'unknown'
  }
}

/** A request ID as Amplitude gives one, and as `request-id` takes it: a plain identifier. */
export function isRequestId(text: string): boolean {
  return /^[A-Za-z0-9_-]{1,200}$/.test(text)
}
