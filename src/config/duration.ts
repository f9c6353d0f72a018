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
