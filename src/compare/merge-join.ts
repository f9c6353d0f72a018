// The comparison of two files that are both in key order, as an export sorted by member ID is: one pass over each,
// side by side, as `comm` walks two sorted files, with no scratch files and two read buffers of memory. The order is
// checked on the way; at the first key out of order, the walk gives up and the caller compares by hash instead.
//
// Key order: keys that are whole numbers (digits, no leading zero) first, by value; then every other key, byte by
// byte. So IDs sorted by value, and text keys or IDs of one length sorted as text (`LC_ALL=C sort`), qualify; IDs of
// different lengths sorted as text (10 before 9) do not, and take the hash join.
import { setImmediate as yieldToEvents } from 'node:timers/promises'
import { BufferedWriter, closeAll } from './buckets.js'
import type { ChangeFiles, CompareOptions, Comparison } from './compare.js'
import { sameRecord } from '../csv/csv.js'
import { columnChanges, KeyedRows } from './keyed-rows.js'

const ZERO = 0x30
const NINE = 0x39
/** Records between two yields to the event loop, so a cancellation is noticed. */
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

/** One file walked in key order: its current row with a non-empty key, each key once. */
class Side {
  readonly rows: KeyedRows
  keyIsNumber = false
  /** A copy of the last key (the cursor's buffer moves on). */
  private last: Buffer = Buffer.allocUnsafe(64)
  private lastLength = -1
  private lastIsNumber = false
  duplicateKeys = 0
  outOfOrder = false

  constructor(path: string, file: 'baseline' | 'current', key: string, maxRecordBytes?: number) {
    this.rows = new KeyedRows(path, file, key, maxRecordBytes)
  }

  /**
   * Moves to the next row whose key is not a repeat (a repeat goes to the rows' `skip`); false at the end, or when a
   * key comes out of order (`outOfOrder` is set then).
   */
  advance(): boolean {
    const { rows } = this
    while (rows.next()) {
      this.keyIsNumber = isNumber(rows.keyBuffer, rows.keyStart, rows.keyEnd)
      if (this.lastLength >= 0) {
        const order = keyOrder(
          this.last,
          0,
          this.lastLength,
          this.lastIsNumber,
          rows.keyBuffer,
          rows.keyStart,
          rows.keyEnd,
          this.keyIsNumber
        )
        if (order === 0) {
          // Repeats are next to each other in key order: the first occurrence counts.
          this.duplicateKeys++
          rows.skip?.(rows)
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
    const { keyBuffer, keyStart, keyEnd } = this.rows
    const length = keyEnd - keyStart
    if (length > this.last.length) this.last = Buffer.allocUnsafe(length * 2)
    // Byte by byte: keys are short, and a native copy costs more to call than this loop takes.
    const { last } = this
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
  out: ChangeFiles,
  { maxRecordBytes, signal }: CompareOptions = {}
): Promise<Comparison | undefined> {
  const writers: BufferedWriter[] = []
  // The new file first: when neither has the key column, the error is about the input.
  const next = new Side(current, 'current', key, maxRecordBytes)
  let base: Side | undefined
  try {
    base = new Side(baseline, 'baseline', key, maxRecordBytes)
    const columns = columnChanges(base.rows.names, next.rows.names)
    const open = (path: string, header: Buffer): BufferedWriter => {
      const writer = new BufferedWriter(path)
      writers.push(writer)
      writer.writeLine(header, 0, header.length)
      return writer
    }
    const entering = open(out.entering, next.rows.header)
    const exiting = open(out.exiting, base.rows.header)
    const changed = open(out.changed, next.rows.header)
    const skipped = open(out.skipped, next.rows.header)
    next.rows.skip = ({ cursor }) => skipped.writeLine(cursor.buffer, cursor.start, cursor.end)
    const result: Comparison = {
      method: 'merge',
      entering: 0,
      exiting: 0,
      changed: 0,
      skipped: 0,
      columns,
      baselineMembers: 0,
      emptyKeys: { baseline: 0, current: 0 },
      duplicateKeys: { baseline: 0, current: 0 }
    }
    const walk: Walk = {
      base,
      next,
      hasOld: base.advance(),
      hasNew: next.advance(),
      result,
      out: { entering, exiting, changed },
      allChanged: columns.differ
    }
    // In batches, yielding to the event loop between them so a cancellation is noticed.
    while (walkSome(walk, YIELD_EVERY)) {
      await yieldToEvents()
      signal?.throwIfAborted()
    }
    if (base.outOfOrder || next.outOfOrder) return undefined
    result.emptyKeys = { baseline: base.rows.emptyKeys, current: next.rows.emptyKeys }
    result.duplicateKeys = { baseline: base.duplicateKeys, current: next.duplicateKeys }
    result.skipped = next.rows.emptyKeys + next.duplicateKeys
    return result
  } finally {
    closeAll([...writers, next.rows, base?.rows])
  }
}

/** Where a walk of two files stands, between two batches. */
interface Walk {
  base: Side
  next: Side
  hasOld: boolean
  hasNew: boolean
  result: Comparison
  out: { entering: BufferedWriter; exiting: BufferedWriter; changed: BufferedWriter }
  /** The columns differ: every member in both files is changed. */
  allChanged: boolean
}

/**
 * Walks up to `count` steps; false once the walk is over (both files done, or one out of order). A plain function,
 * so its locals stay in registers rather than in the state an await keeps.
 */
function walkSome(walk: Walk, count: number): boolean {
  const { base, next, result, allChanged } = walk
  const { entering, exiting, changed } = walk.out
  let { hasOld, hasNew } = walk
  let steps = 0
  for (; steps < count && (hasOld || hasNew) && !base.outOfOrder && !next.outOfOrder; steps++) {
    const order = !hasOld
      ? 1
      : !hasNew
        ? -1
        : keyOrder(
            base.rows.keyBuffer,
            base.rows.keyStart,
            base.rows.keyEnd,
            base.keyIsNumber,
            next.rows.keyBuffer,
            next.rows.keyStart,
            next.rows.keyEnd,
            next.keyIsNumber
          )
    const old = base.rows.cursor
    const now = next.rows.cursor
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
    } else if (allChanged || !sameRecord(old.buffer, old.start, old.end, now.buffer, now.start, now.end)) {
      changed.writeLine(now.buffer, now.start, now.end)
      result.changed++
    }
    if (order === 0) hasOld = base.advance()
    hasNew = next.advance()
  }
  walk.hasOld = hasOld
  walk.hasNew = hasNew
  return steps === count
}
