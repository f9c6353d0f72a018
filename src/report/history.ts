/** One export of a cohort, as kept in the manifest's `history` (oldest first). */
export interface HistoryEntry {
  /** ISO 8601 UTC. */
  exportedAt: string
  requestId: string
  memberCount: number
  /** Null when no comparison with a baseline ran. */
  enteringCount: number | null
  exitingCount: number | null
  /**
   * The cohort requests the export spent: 1, or 0 when it resumed a request (`request-id`). An entry written before
   * this field existed reads as 1 (budget.ts).
   */
  requests?: number
  /** The workflow run that exported it (`GITHUB_RUN_ID`). */
  runId?: string
}

/** The manifest keeps this many exports at most, tonight's included. */
export const HISTORY_LIMIT = 30

/** Longest string kept from a previous manifest: request IDs and ISO dates are far shorter. */
const MAX_TEXT = 128

/**
 * A manifest's `history` as read (oldest first; may be undefined or malformed): every entry validated, bad ones
 * dropped. The manifest's reader calls it, so the rest of the action gets a trusted list.
 *
 * The previous manifest is an artifact anyone with write access could have replaced, so nothing is trusted: a
 * `previous` that is not an array counts as no history, and each entry is kept only if it has the expected shape
 * (strings of sensible length, counts that are non-negative safe integers). Kept entries are copied field by field,
 * so unknown fields do not ride along into the next manifest. A missing `enteringCount`/`exitingCount` reads as null
 * (no comparison ran). The given order is kept (not re-sorted by date, which may be unparsable).
 */
export function readHistory(value: unknown): HistoryEntry[] {
  return Array.isArray(value) ? value.map(toEntry).filter((e): e is HistoryEntry => e !== undefined) : []
}

/**
 * The baseline's history plus this export, capped to the last 30. An entry with tonight's request ID is dropped: one
 * export is never counted twice.
 */
export function nextHistory(previous: readonly HistoryEntry[], current: HistoryEntry): HistoryEntry[] {
  const kept = previous.filter(e => e.requestId !== current.requestId)
  return [...kept.slice(-(HISTORY_LIMIT - 1)), { ...current }]
}

function toEntry(value: unknown): HistoryEntry | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const { exportedAt, requestId, memberCount, enteringCount, exitingCount, requests, runId } =
    value as Record<string, unknown>
  if (!isText(exportedAt) || !isText(requestId) || !isCount(memberCount)) return undefined
  const entering = optionalCount(enteringCount)
  const exiting = optionalCount(exitingCount)
  if (entering === undefined || exiting === undefined) return undefined
  const entry: HistoryEntry = {
    exportedAt,
    requestId,
    memberCount,
    enteringCount: entering,
    exitingCount: exiting
  }
  // Kept only when valid; budget.ts reads a missing one as 1 (every export before the field spent one).
  if (isCount(requests) && requests <= 1) entry.requests = requests
  if (isText(runId)) entry.runId = runId
  return entry
}

/** Null for a missing count, undefined for an invalid one. */
function optionalCount(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return null
  return isCount(value) ? value : undefined
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
