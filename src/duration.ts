import parseDurationText from 'parse-duration'

// `250ms`, `5s`, `2m`, `1h30m`, `1.5h`: one or more number+unit pairs, nothing else. parse-duration does the
// arithmetic; the pattern keeps it from accepting the free text it also tolerates ("about 5 apples").
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/
const BARE_SECONDS = /^\d+(?:\.\d+)?$/

/** Parses a duration input into milliseconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim().toLowerCase()
  if (BARE_SECONDS.test(value)) return Math.round(Number(value) * 1000)
  if (!DURATION.test(value)) return undefined
  const ms = parseDurationText(value)
  return ms === null || !Number.isFinite(ms) ? undefined : Math.round(ms)
}

/** Formats milliseconds for logs: `850ms`, `12.3s`, `4m05s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const totalSeconds = Math.round(ms / 1000)
  const hours = Math.floor(totalSeconds / 3600)
  const minutes = Math.floor((totalSeconds % 3600) / 60)
  const seconds = totalSeconds % 60
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`
  return `${minutes}m${String(seconds).padStart(2, '0')}s`
}

/** Formats a byte count for logs and the summary: `512 B`, `1.5 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}
