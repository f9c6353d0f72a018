// The shapes of input values, each parsed with an InputError naming the input: booleans, whole numbers, durations.
import { InputError } from '../errors.js'
import { parseDuration } from './duration.js'

// The longest a Node.js timer can wait (about 24.8 days): a longer duration would fire at once instead.
const MAX_DURATION_MS = 2 ** 31 - 1

/** Reads one input, trimmed ('' when not set). */
export type Read = (name: string) => string

/** `true`/`false`/`1`/`0` (any case); empty gives the default. */
export function parseBoolean(read: Read, name: string, fallback: boolean): boolean {
  const value = read(name).toLowerCase()
  if (value === '') return fallback
  if (value === 'true' || value === '1') return true
  if (value === 'false' || value === '0') return false
  throw new InputError(name, `must be 'true' or 'false' (or 1/0), got '${read(name)}'`)
}

export function parseInteger(
  read: Read,
  name: string,
  min: number,
  max: number,
  fallback?: number
): number | undefined {
  const value = read(name)
  if (value === '') return fallback
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(name, `must be a whole number from ${min} to ${max}, got '${value}'`)
  }
  return Number(value)
}

export function parseDurationInput(read: Read, name: string, fallback: string, minMs: number): number {
  const value = read(name) || fallback
  const ms = parseDuration(value)
  if (ms === undefined) {
    throw new InputError(
      name,
      `must be a duration such as 250ms, 5s, 2m or 1h30m (or a number of seconds), got '${value}'`
    )
  }
  if (ms < minMs) throw new InputError(name, `must be at least ${minMs}ms, got '${value}'`)
  if (ms > MAX_DURATION_MS) throw new InputError(name, `must be at most 596h, got '${value}'`)
  return ms
}
