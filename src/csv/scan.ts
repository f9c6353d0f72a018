// The RFC 4180 scanner core: where records end in a run of bytes, a line feed outside quotes ending each. A line
// break inside a quoted field ("multi\nline") does not end a record; `""` inside quotes is an escaped quote (the
// second quote opens the field again). It scans with Buffer.indexOf (native memchr) rather than parsing fields, and
// searches for the next quote and line feed again only once it has passed them, so the data is scanned about once
// whatever its mix of quotes and lines. The row counter (the download) and the CSV cursor (the comparison) share it.
const QUOTE = 0x22
const LF = 0x0a

/**
 * Scans `data` from `from`, starting inside a quoted field when `inQuotes`; calls `onRecordEnd` with each line feed
 * that ends a record. Returns whether the data ends inside a quoted field.
 */
export function scanRecordEnds(
  data: Uint8Array,
  from: number,
  inQuotes: boolean,
  onRecordEnd: (lf: number) => void
): boolean {
  const n = data.length
  let i = from
  let quote = -2
  let lf = -2
  while (i < n) {
    if (quote !== -1 && quote < i) quote = data.indexOf(QUOTE, i)
    if (inQuotes) {
      if (quote === -1) return true
      // A quote closes the field, unless it is the first of an escaped pair: the next pass opens it again.
      inQuotes = false
      i = quote + 1
      continue
    }
    if (lf !== -1 && lf < i) lf = data.indexOf(LF, i)
    if (quote !== -1 && (lf === -1 || quote < lf)) {
      inQuotes = true
      i = quote + 1
      continue
    }
    if (lf === -1) return false
    onRecordEnd(lf)
    i = lf + 1
  }
  return inQuotes
}
