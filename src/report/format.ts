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

/** Formats a transfer rate: `12.5 MiB/s`. */
export function formatRate(bytes: number, ms: number): string {
  return `${formatBytes((bytes / Math.max(1, ms)) * 1000)}/s`
}

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/** A count for the summary (1,234), or a dash for none. */
export function formatCount(n: number | null | undefined): string {
  return typeof n === 'number' && Number.isFinite(n) ? COUNT.format(n) : '—'
}
