import fc from 'fast-check'

/**
 * CSV text for property tests of the record scanners: plain and quoted fields (quotes, commas, line breaks and
 * non-ASCII inside quotes), LF or CRLF line ends, with or without a last one; with `blankLines`, empty lines too.
 */
export function csvText({ blankLines = false } = {}): fc.Arbitrary<string> {
  const field = fc.oneof(
    fc.stringMatching(/^[a-z0-9 ]{0,6}$/),
    fc
      .array(fc.constantFrom('a', ',', '"', '\n', '\r\n', ' ', 'é'), { maxLength: 8 })
      .map(parts => `"${parts.join('').replace(/"/g, '""')}"`)
  )
  const row = fc.array(field, { minLength: 1, maxLength: 4 }).map(fields => fields.join(','))
  const line = blankLines ? fc.oneof(row, fc.constant('')) : row
  return fc
    .tuple(fc.array(line, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.boolean())
    .map(([rows, eol, trailing]) => rows.join(eol) + (trailing && rows.length ? eol : ''))
}

/**
 * Membership files for the comparison's property tests, as latin1 text: one character a byte, so keys and properties
 * can hold bytes that are not UTF-8 (write them with `Buffer.from(text, 'latin1')`).
 */
export interface MemberRow {
  /** The key's bytes once unquoted ('' is an empty key). */
  key: string
  /** The key in quotes even when it needs none: the same key as without. */
  quoteKey: boolean
  props: string
  eol: '\n' | '\r\n'
}

/** Bytes that are not UTF-8 on their own (a lone continuation byte, a lead byte without its continuation, …). */
const NOT_UTF8 = ['\xff', '\xfe', '\xc3', '\xa9', '\xe9', '\x80']

export const memberRow: fc.Arbitrary<MemberRow> = fc.record({
  key: fc.oneof(
    fc.constantFrom('', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'x,y', 'q"q'),
    fc.stringMatching(/^[a-z0-9]{1,4}$/),
    // Two different invalid sequences must stay two keys; a key of them is the same quoted or bare.
    fc.array(fc.constantFrom('a', '7', ...NOT_UTF8), { minLength: 1, maxLength: 3 }).map(p => p.join(''))
  ),
  quoteKey: fc.boolean(),
  props: fc.oneof(
    fc.constantFrom('', 'plain', 'multi\nline', 'crlf\r\ninside', 'comma,inside', 'quote"inside', '\xff\xfe'),
    fc.string({ maxLength: 6 })
  ),
  eol: fc.constantFrom('\n' as const, '\r\n' as const)
})

/**
 * A header line: the column names (the same names quoted or not, or another list), with or without a UTF-8 byte
 * order mark before them.
 */
export interface MemberHeader {
  bom: boolean
  names: string
}

export const memberHeader: fc.Arbitrary<MemberHeader> = fc.record({
  bom: fc.boolean(),
  names: fc.constantFrom(
    'amplitude_id,props',
    'amplitude_id,"props"',
    '"amplitude_id",props',
    'amplitude_id,plan'
  )
})

/** The header's text as it starts the file. */
export const headerText = (header: MemberHeader): string => (header.bom ? '\xef\xbb\xbf' : '') + header.names

/** A CSV field as a writer would quote it. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** A row without its line end. */
export function memberLine(row: MemberRow): string {
  return `${row.quoteKey ? `"${row.key.replace(/"/g, '""')}"` : csvField(row.key)},${csvField(row.props)}`
}

/** A whole file: the header line, then each row with its own line end (the last one's only with `lastEol`). */
export function memberFile(header: MemberHeader | string, rows: MemberRow[], lastEol = true): string {
  const head = typeof header === 'string' ? header : headerText(header)
  return (
    `${head}\n` + rows.map((r, i) => memberLine(r) + (i < rows.length - 1 || lastEol ? r.eol : '')).join('')
  )
}
