// Small helpers shared by the benchmark sections: statistics, formatting, a seeded PRNG, bounded child processes.
import { spawn } from 'node:child_process'

export const MB = 1e6
export const MiB = 1 << 20

export function median(values) {
  const sorted = values.filter(v => v !== undefined && !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return NaN
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

export const min = values => Math.min(...values)
export const max = values => Math.max(...values)

/** `12.3` with `digits` decimals, or `—` for a missing value. */
export function fixed(value, digits = 0) {
  return value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits)
}

/** Mebibytes from KiB (what ru_maxrss counts). */
export const kibToMiB = kib => kib / 1024

export function formatMs(ms) {
  if (Number.isNaN(ms)) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`
  return `${(ms / 3_600_000).toFixed(1)} h`
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows, align) {
  const line = cells => `| ${cells.join(' | ')} |`
  const rule = header.map((_, i) => ((align?.[i] ?? 'r') === 'l' ? ':--' : '--:'))
  return [line(header), line(rule), ...rows.map(line)].join('\n')
}

/** mulberry32: a small seeded PRNG in [0, 1), so the polling figures are reproducible. */
export function seededRandom(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Runs a command to completion with a time limit (SIGKILL when it passes); resolves to its exit code, output and
 * wall time (`startedAt`: performance.now() just before the spawn). Never rejects on a non-zero exit: the caller
 * decides. `onStdout` sees each piece of stdout as it arrives; `onExit` is called at the process's exit, before its
 * pipes are drained.
 */
export function runCommand(command, args, { env, timeoutMs = 120_000, cwd, onStdout, onExit } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', text => {
      onStdout?.(text)
      stdout += text
    })
    child.stderr.setEncoding('utf8').on('data', text => (stderr += text))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    if (onExit) child.once('exit', onExit)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({
        code,
        signal,
        timedOut,
        stdout,
        stderr,
        startedAt: started,
        wallMs: performance.now() - started
      })
    })
  })
}

/** Throws with the command's output when a run failed. */
export function check(result, what) {
  if (result.code === 0 && !result.timedOut) return result
  const tail = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n')
  throw new Error(
    `${what} failed (exit ${result.code}${result.timedOut ? ', timed out' : ''}${result.signal ? `, ${result.signal}` : ''}):\n${tail}`
  )
}

/** Logs progress to stderr, so stdout stays free for a caller that wants the report. */
export function progress(message) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`)
}
