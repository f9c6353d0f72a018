// Counts CSV records while the file streams past, following RFC 4180 quoting (csv/scan.ts). Empty lines are not
// records. This is the one piece of CSV handling on the hot path, so it scans rather than parsing fields: the test
// suite checks it against csv-parse, the full parser, on generated and adversarial input, and bench/ measures that it
// keeps the download near wire speed.
import { scanRecordEnds } from '../csv/scan.js'

const CR = 0x0d

export class CsvRecordCounter {
  /** Complete records seen so far (the header row included). */
  records = 0
  private inQuotes = false
  /** Whether the current, unfinished record has any content. */
  private open = false

  push(chunk: Buffer): void {
    let start = 0
    this.inQuotes = scanRecordEnds(chunk, 0, this.inQuotes, lf => {
      if (this.open || hasContent(chunk, start, lf)) this.records++
      this.open = false
      start = lf + 1
    })
    this.open ||= hasContent(chunk, start, chunk.length)
  }

  /** Ends the input. Returns false when it ends inside a quoted field: the file is cut short or malformed. */
  end(): boolean {
    if (this.open && !this.inQuotes) this.records++
    this.open = this.open && this.inQuotes
    return !this.inQuotes
  }
}

/** Whether `data[start, end)` has anything but carriage returns: a line with content is a record. */
function hasContent(data: Buffer, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (data[k] !== CR) return true
  return false
}
