import { setImmediate as yieldToEvents } from 'node:timers/promises'
import { BufferedWriter, closeAll } from './buckets.js'
import type { ChangeFiles, Comparison } from './compare.js'
import { CsvCursor } from './csv-cursor.js'
import { fieldAt, fieldRange, parseFields, sameRecord } from './csv.js'
import { MissingKeyColumnError } from './spread.js'

/**
 * The comparison of two files that are both in key order, as an export sorted by member ID is: one pass over each,
 * side by side, as `comm` walks two sorted files, with no scratch files and two read buffers of memory. The order is
 * checked on the way; at the first key out of order, the walk gives up and the caller compares by hash instead.
 *
 * Key order: keys that are whole numbers (digits, no leading zero) first, by value; then every other key, byte by
 * byte. So IDs sorted by value, and text keys or IDs of one length sorted as text (`LC_ALL=C sort`), qualify; IDs of
 * different lengths sorted as text (10 before 9) do not, and take the hash join.
 */
const ZERO = 0x30
const NINE = 0x39
/** Records between two yields to the event loop, so a cancellation is still noticed. */
const YIELD_EVERY = 1 << 16

/** Whether key bytes are a whole number written without leading zeros. */
function isNumber(buffer: Buffer, start: number, end: number): boolean {
  if (end - start > 1 && buffer[start] === ZERO) return false
  for (let i = start; i < end; i++) if (buffer[i] < ZERO || buffer[i] > NINE) return false
  return end > start
}

/** Negative, 0 or positive as key a comes before, equals or comes after key b in key order. */
function keyOrder(
  a: Buffer,
  aStart: number,
  aEnd: number,
  aNumber: boolean,
  b: Buffer,
  bStart: number,
  bEnd: number,
  bNumber: boolean
): number {
  if (aNumber !== bNumber) return aNumber ? -1 : 1
  const aLength = aEnd - aStart
  const bLength = bEnd - bStart
  if (aNumber && aLength !== bLength) return aLength - bLength
  const length = Math.min(aLength, bLength)
  for (let k = 0; k < length; k++) {
    const d = a[aStart + k] - b[bStart + k]
    if (d !== 0) return d
  }
  return aLength - bLength
}

/** One file walked in key order: its current record with a non-empty key, each key once. */
class Side {
  readonly cursor: CsvCursor
  header: Buffer = Buffer.alloc(0)
  columns: string[] = []
  keyIndex = -1
  /** The current record's key: `keyBuffer[keyStart, keyEnd)`. */
  keyBuffer: Buffer = Buffer.alloc(0)
  keyStart = 0
  keyEnd = 0
  keyIsNumber = false
  /** A copy of the last key (the cursor's buffer moves on). */
  private last: Buffer = Buffer.allocUnsafe(64)
  private lastLength = -1
  private lastIsNumber = false
  private readonly range = [0, 0]
  emptyKeys = 0
  duplicateKeys = 0
  outOfOrder = false

  constructor(
    path: string,
    private readonly file: 'baseline' | 'current',
    private readonly key: string
  ) {
    this.cursor = new CsvCursor(path)
  }

  readHeader(): void {
    const { cursor } = this
    if (!cursor.next()) throw new MissingKeyColumnError(this.file, this.key)
    this.header = Buffer.from(cursor.buffer.subarray(cursor.start, cursor.end))
    this.columns = parseFields(cursor.buffer, cursor.start, cursor.end)
    this.keyIndex = this.columns.indexOf(this.key)
    if (this.keyIndex < 0) throw new MissingKeyColumnError(this.file, this.key)
  }

  /**
   * Moves to the next record whose key is not empty and not a repeat; false at the end, or when a key comes out of
   * order (`outOfOrder` is set then).
   */
  advance(): boolean {
    const { cursor, range } = this
    while (cursor.next()) {
      const buffer = cursor.buffer
      const found = fieldRange(buffer, cursor.start, cursor.end, this.keyIndex, range)
      if (found === 'quoted') {
        const value = Buffer.from(fieldAt(buffer, cursor.start, cursor.end, this.keyIndex) ?? '', 'utf8')
        this.keyBuffer = value
        this.keyStart = 0
        this.keyEnd = value.length
      } else {
        this.keyBuffer = buffer
        this.keyStart = range[0]
        this.keyEnd = range[1]
      }
      if (found === 'missing' || this.keyStart === this.keyEnd) {
        this.emptyKeys++
        continue
      }
      this.keyIsNumber = isNumber(this.keyBuffer, this.keyStart, this.keyEnd)
      if (this.lastLength >= 0) {
        const order = keyOrder(
          this.last,
          0,
          this.lastLength,
          this.lastIsNumber,
          this.keyBuffer,
          this.keyStart,
          this.keyEnd,
          this.keyIsNumber
        )
        if (order === 0) {
          // Repeats are next to each other in key order: the first occurrence counts.
          this.duplicateKeys++
          continue
        }
        if (order > 0) {
          this.outOfOrder = true
          return false
        }
      }
      this.remember()
      return true
    }
    return false
  }

  private remember(): void {
    const length = this.keyEnd - this.keyStart
    if (length > this.last.length) this.last = Buffer.allocUnsafe(length * 2)
    // Byte by byte: keys are short, and a native copy costs more to call than this loop takes.
    const { keyBuffer, keyStart, last } = this
    for (let k = 0; k < length; k++) last[k] = keyBuffer[keyStart + k]
    this.lastLength = length
    this.lastIsNumber = this.keyIsNumber
  }
}

/**
 * Compares two files in key order, writing the change files at `out`; undefined when either file is not in key order
 * (what was written at `out` is then to be overwritten or removed by the caller).
 */
export async function compareSorted(
  current: string,
  baseline: string,
  key: string,
  out: ChangeFiles
): Promise<Comparison | undefined> {
  const next = new Side(current, 'current', key)
  const writers: BufferedWriter[] = []
  let base: Side | undefined
  try {
    base = new Side(baseline, 'baseline', key)
    // The new file's errors first: when neither has the key column, the error is about the input.
    next.readHeader()
    base.readHeader()
    const columnsDiffer = base.columns.join('\u0000') !== next.columns.join('\u0000')
    const open = (path: string, header: Buffer): BufferedWriter => {
      const writer = new BufferedWriter(path)
      writers.push(writer)
      writer.writeLine(header, 0, header.length)
      return writer
    }
    const entering = open(out.entering, next.header)
    const exiting = open(out.exiting, base.header)
    const changed = columnsDiffer ? undefined : open(out.changed, next.header)
    const result: Comparison = {
      method: 'merge',
      entering: 0,
      exiting: 0,
      changed: columnsDiffer ? null : 0,
      columnsDiffer,
      baselineMembers: 0,
      emptyKeys: { baseline: 0, current: 0 },
      duplicateKeys: { baseline: 0, current: 0 }
    }
    let hasOld = base.advance()
    let hasNew = next.advance()
    for (let steps = 1; (hasOld || hasNew) && !base.outOfOrder && !next.outOfOrder; steps++) {
      if (steps % YIELD_EVERY === 0) await yieldToEvents()
      const order = !hasOld
        ? 1
        : !hasNew
          ? -1
          : keyOrder(
              base.keyBuffer,
              base.keyStart,
              base.keyEnd,
              base.keyIsNumber,
              next.keyBuffer,
              next.keyStart,
              next.keyEnd,
              next.keyIsNumber
            )
      const old = base.cursor
      const now = next.cursor
      if (order <= 0) result.baselineMembers++
      if (order < 0) {
        exiting.writeLine(old.buffer, old.start, old.end)
        result.exiting++
        hasOld = base.advance()
        continue
      }
      if (order > 0) {
        entering.writeLine(now.buffer, now.start, now.end)
        result.entering++
      } else if (changed && !sameRecord(old.buffer, old.start, old.end, now.buffer, now.start, now.end)) {
        changed.writeLine(now.buffer, now.start, now.end)
        ;(result.changed as number)++
      }
      if (order === 0) hasOld = base.advance()
      hasNew = next.advance()
    }
    if (base.outOfOrder || next.outOfOrder) return undefined
    result.emptyKeys = { baseline: base.emptyKeys, current: next.emptyKeys }
    result.duplicateKeys = { baseline: base.duplicateKeys, current: next.duplicateKeys }
    return result
  } finally {
    closeAll([...writers, next.cursor, base?.cursor])
  }
}
