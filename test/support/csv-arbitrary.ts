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
