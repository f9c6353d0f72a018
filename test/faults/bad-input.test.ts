// Bad input, table-driven over every input in action.yml: each must fail with an error that names the input
// (`Input 'name' ...`), before any request reaches the simulator, leaving nothing at `path`. A property-based test
// shows that no cohort-id string can make the simulator see a path outside /api/5/cohorts/request/<one segment>.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AmplitudeClient } from '../../src/amplitude/client.js'
import { actionYmlKeys, errorLines, validInputs } from '../support/action.mjs'
import { runAction } from '../support/run-action.js'
import { TestClock } from '../support/test-clock.js'
import { faultSuite, record, runExport } from './support.js'

const { sim, cohort } = faultSuite({ members: 5, polls: 0 })
let scratch: string

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'bad-input-'))
  writeFileSync(join(scratch, 'a-file'), 'not a folder')
  mkdirSync(join(scratch, 'a-folder'))
})
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
})

/** Valid inputs (no upload: no Actions runtime here); each row replaces one (or a few) of them. */
function valid(): Record<string, string> {
  return validInputs(sim, 'validCohort1', { 'upload-artifact': 'false' })
}

const b64 = (text: string): string => Buffer.from(text).toString('base64')

type Row = [input: string, what: string, inputs: () => Record<string, string>]

const one = (input: string, what: string, value: string | (() => string)): Row => [
  input,
  what,
  () => ({ [input]: typeof value === 'function' ? value() : value })
]

const rows: Row[] = [
  // cohort-id: required, and one plain path segment.
  one('cohort-id', 'empty', ''),
  one('cohort-id', 'whitespace', '  \t '),
  one('cohort-id', "with '/'", 'abc/def'),
  one('cohort-id', "'..'", '..'),
  one('cohort-id', "'../x'", '../file'),
  one('cohort-id', "with '?'", 'abc?props=1'),
  one('cohort-id', "with '#'", 'abc#frag'),
  one('cohort-id', "with '%2F'", 'abc%2Fdef'),
  one('cohort-id', "'%2e%2e'", '%2e%2e'),
  one('cohort-id', 'with a space', 'abc def'),
  one('cohort-id', 'with a tab', 'abc\tdef'),
  one('cohort-id', 'a list naming one cohort twice', 'abc,def\nabc'),
  one('cohort-id', 'a list of two IDs that differ only in case', 'abc1x,def\nABC1x'),
  one('cohort-id', 'a list of 21 cohorts', Array.from({ length: 21 }, (_, i) => `c${i}`).join(',')),
  one('cohort-id', 'a list with one bad ID', 'abc, de/f'),
  one('cohort-id', 'with a control character (ESC)', 'abc\x1bdef'),
  one('cohort-id', 'with DEL', 'abc\x7fdef'),
  one('cohort-id', 'with a zero-width space', 'abc\u200bdef'),
  one('cohort-id', 'with a fullwidth solidus', 'abc\uff0fdef'),
  one('cohort-id', 'non-ASCII', 'kohorte-ä'),
  one('cohort-id', 'starting with -', '-abc'),
  one('cohort-id', 'longer than 128', 'a'.repeat(129)),
  one('cohort-id', 'HTML', '<b>x</b>'),
  // Credentials: the key pair or basic-auth, exactly one.
  [
    'api-key',
    'neither the key pair nor basic-auth',
    () => ({ 'api-key': '', 'secret-key': '', 'basic-auth': '' })
  ],
  ['api-key', 'whitespace, with secret-key', () => ({ 'api-key': '   ' })],
  one('api-key', "with ':'", 'key:part'),
  one('api-key', 'with a line break', 'key\npart'),
  one('secret-key', 'empty, with api-key', ''),
  one('secret-key', 'whitespace, with api-key', ' \t '),
  one('secret-key', 'with a line break', 'secret\nvalue'),
  ['basic-auth', 'both the key pair and basic-auth', () => ({ 'basic-auth': sim.basicAuth })],
  ['basic-auth', 'not base64', () => ({ 'api-key': '', 'secret-key': '', 'basic-auth': 'not base64!' })],
  [
    'basic-auth',
    "base64 without ':'",
    () => ({ 'api-key': '', 'secret-key': '', 'basic-auth': b64('keyonly') })
  ],
  [
    'basic-auth',
    "base64 of ':secret' (no key)",
    () => ({ 'api-key': '', 'secret-key': '', 'basic-auth': b64(':secret') })
  ],
  [
    'basic-auth',
    "base64 of 'key:' (no secret)",
    () => ({ 'api-key': '', 'secret-key': '', 'basic-auth': b64('some-api-key:') })
  ],
  [
    'basic-auth',
    "with the 'Basic ' prefix",
    () => ({ 'api-key': '', 'secret-key': '', 'basic-auth': `Basic ${sim.basicAuth}` })
  ],
  // Booleans.
  one('include-props', 'wrong type (yes)', 'yes'),
  one('include-props', 'wrong type (2)', '2'),
  one('upload-artifact', 'wrong type (maybe)', 'maybe'),
  one('overwrite', 'wrong type (sometimes)', 'sometimes'),
  // prop-keys.
  one('prop-keys', "an empty item ('a,,b')", 'country,,plan'),
  one('prop-keys', "an empty first item (',a')", ',country'),
  one('prop-keys', 'an empty line between items', 'country\n\nplan'),
  one('prop-keys', "only separators (',')", ','),
  one('prop-keys', 'only separators and spaces', ' , \n , '),
  one('prop-keys', 'a control character', 'country\x01'),
  // region and server-url.
  one('region', 'unknown (mars)', 'mars'),
  one('region', 'unknown (us-east-1)', 'us-east-1'),
  one('region', "'constructor' (an Object property)", 'constructor'),
  one('region', "'__proto__' (an Object property)", '__proto__'),
  one('region', "'toString'", 'toString'),
  one('server-url', 'not a URL', 'not a url'),
  one('server-url', 'no scheme', 'amplitude.com'),
  one('server-url', 'ftp://', 'ftp://amplitude.com'),
  one('server-url', 'file://', 'file:///etc/passwd'),
  one('server-url', 'javascript:', 'javascript:alert(1)'),
  one('server-url', 'http:// with no host', 'http://'),
  one('server-url', 'with credentials', 'https://user:password@amplitude.com'),
  one('server-url', 'with a query', 'https://amplitude.com/?api_key=x'),
  one('server-url', 'with a fragment', 'https://amplitude.com/#x'),
  // Durations.
  one('poll-interval', 'wrong type (soon)', 'soon'),
  one('poll-interval', 'zero', '0'),
  one('poll-interval', 'negative', '-5s'),
  one('poll-interval', 'below 100ms', '50ms'),
  one('poll-interval', 'with a space (5 s)', '5 s'),
  one('poll-interval', 'exponent (1e3)', '1e3'),
  one('poll-interval', 'longer than timeout', '2h'),
  one('timeout', 'wrong type (forever)', 'forever'),
  one('timeout', 'zero', '0'),
  one('timeout', 'below 1s', '500ms'),
  one('timeout', 'beyond what a timer can wait (1000h)', '1000h'),
  one('timeout', 'beyond what a timer can wait (10^12 s)', '1000000000000'),
  one('request-timeout', 'wrong type (1 minute)', '1 minute'),
  one('request-timeout', 'zero', '0'),
  one('request-timeout', 'below 100ms', '10ms'),
  one('request-timeout', 'beyond what a timer can wait', '999999h'),
  // path.
  one('path', 'an existing folder', () => join(scratch, 'a-folder')),
  one('path', 'the workspace itself (.)', '.'),
  one('path', 'ending with /', 'exports/'),
  one('path', 'ending with \\ (a Windows folder)', 'exports\\'),
  one('path', 'whose parent is a file', () => join(scratch, 'a-file', 'members.csv')),
  one('path', 'whose grandparent is a file', () => join(scratch, 'a-file', 'sub', 'members.csv')),
  one('path', 'in a folder nothing can be written to (/proc)', '/proc/amplitude-members.csv'),
  // Artifact inputs.
  one('artifact-name', "with '/'", 'a/b'),
  one('artifact-name', "with ':'", 'a:b'),
  one('artifact-name', "with '*'", 'a*'),
  one('artifact-name', "with '\\'", 'a\\b'),
  one('artifact-name', 'with a quote', 'a"b'),
  one('artifact-name', "with '<>'", '<a>'),
  one('artifact-name', "with '|'", 'a|b'),
  one('artifact-name', "with '?'", 'a?b'),
  one('artifact-name', 'with a line break', 'a\nb'),
  one('retention-days', 'zero', '0'),
  one('retention-days', 'above 90', '91'),
  one('retention-days', 'wrong type (ten)', 'ten'),
  one('retention-days', 'fraction', '1.5'),
  one('retention-days', 'negative', '-1'),
  one('retention-days', 'with a unit (7d)', '7d'),
  one('compression-level', 'above 9', '10'),
  one('compression-level', 'negative', '-1'),
  one('compression-level', 'wrong type (max)', 'max'),
  one('compression-level', 'fraction', '3.0'),
  one('min-members', 'negative', '-1'),
  one('min-members', 'wrong type (many)', 'many'),
  one('min-members', 'fraction', '1.5'),
  one('min-members', 'beyond 2^53', '9007199254740993'),
  one('compare-with', 'a folder', () => join(scratch, 'a-folder')),
  one('compare-with', 'an unknown word spread over lines', 'previous\nrun'),
  [
    'github-token',
    "empty with 'compare-with: previous-run'",
    () => ({ 'compare-with': 'previous-run', 'github-token': '' })
  ],
  one('compare-key', 'empty', ''),
  one('compare-key', 'with a control character', 'amplitude\u0001id'),
  one('max-exiting', 'negative', '-1'),
  one('max-exiting', 'fraction of a member', '5.5'),
  one('max-exiting', 'above 100%', '150%'),
  one('max-exiting', 'wrong type (lots)', 'lots'),
  one('on-missing-baseline', 'an unknown word (ignore)', 'ignore'),
  one('request-id', "with '/'", 'req/1'),
  one('request-id', 'with a space', 'req 1'),
  one('request-id', 'over 200 characters', 'r'.repeat(201)),
  one('reuse-on-rerun', 'wrong type (yes)', 'yes'),
  one('monthly-request-budget', 'not a whole number (lots)', 'lots'),
  one('monthly-request-budget', 'negative', '-1'),
  one('monthly-request-budget', "without 'compare-with: previous-run' (nothing earlier is counted)", '5'),
  one('dry-run', 'wrong type (maybe)', 'maybe'),
  ['path', "a '.csv' file with several cohorts", () => ({ 'cohort-id': 'abc,def', path: 'members.csv' })],
  [
    'artifact-name',
    "without '{cohort-id}' with several cohorts",
    () => ({ 'cohort-id': 'abc,def', 'artifact-name': 'members' })
  ],
  ['request-id', 'with several cohorts', () => ({ 'cohort-id': 'abc,def', 'request-id': 'req-1' })]
]

describe('every bad input names the input and sends no request', () => {
  it('the table covers every input in action.yml', () => {
    const names = actionYmlKeys('inputs')
    expect(names.length).toBeGreaterThan(10)
    expect(new Set(rows.map(([input]) => input))).toEqual(new Set(names))
  })

  it.each(rows)('%s: %s', async (input, what, overrides) => {
    const before = sim.requests.length
    const started = Date.now()
    const result = await runAction({ ...valid(), ...overrides() })
    rmSync(join(result.runnerTemp, '..'), { recursive: true, force: true })
    const errors = errorLines(result.stdout)
    record(`\`${input}\`: ${what}`, { requests: {}, ms: Date.now() - started, error: errors.join('\n') })
    expect(result.exitCode).toBe(1)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`^Input '${input}' `))
    expect(sim.requests.length).toBe(before)
    expect(result.tempFiles).toEqual([])
    expect(readdirSync(scratch).sort()).toEqual(['a-file', 'a-folder'])
    // The summary is still written.
    expect(result.summary).toContain('Amplitude cohort export failed')
  })

  it('a rejected cohort-id is shown in the summary escaped, never as markup', async () => {
    const result = await runAction({ ...valid(), 'cohort-id': '<b>x</b>&' })
    expect(result.exitCode).toBe(1)
    expect(errorLines(result.stdout)).toEqual([expect.stringMatching(/^Input 'cohort-id' /)])
    expect(result.summary).toContain('<code>&lt;b&gt;x&lt;/b&gt;&amp;</code>')
    expect(result.summary).not.toContain('<b>')
  })

  it('whitespace in optional inputs means their default, as an empty value does', async () => {
    const { id, expected } = await cohort('defaults')
    const blank = [
      'include-props',
      'prop-keys',
      'region',
      'timeout',
      'request-timeout',
      'path',
      'artifact-name',
      'retention-days',
      'compression-level',
      'overwrite',
      'min-members',
      'basic-auth'
    ]
    const run = await runExport(sim, {
      'cohort-id': ` ${id} `,
      ...Object.fromEntries(blank.map(name => [name, ' \n ']))
    })
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(run.result.outputs.cohortFile).toBe(join(run.result.runnerTemp, `amplitude-cohort-${id}.csv`))
  })
})

describe('no cohort-id can change which API path is requested', () => {
  // Pieces that change paths or queries when pasted into a URL, mixed with plain characters.
  const dangerous = [
    '/',
    '\\',
    '.',
    '..',
    '%2F',
    '%2f',
    '%2e',
    '%00',
    '?',
    '#',
    '&',
    '=',
    ';',
    ' ',
    '\t',
    '\n',
    '\r',
    '\x01',
    '\x7f',
    '\u00a0',
    '\u2028',
    '\u202e',
    '\uff0f',
    'é',
    '@',
    ':',
    '+',
    '%',
    '*',
    '~'
  ]
  const piece = fc.oneof(fc.constantFrom(...dangerous), fc.stringMatching(/^[A-Za-z0-9_-]{1,4}$/))
  const cohortIds = fc.oneof(
    fc.array(piece, { maxLength: 8 }).map(parts => parts.join('')),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/)
  )

  function wellFormed(text: string): boolean {
    try {
      encodeURIComponent(text)
      return true
    } catch {
      return false
    }
  }

  /** The single request path allowed: /api/5/cohorts/request/<one segment that decodes to the id>. */
  function onlyOneSegment(seen: { path: string; route: string }[], id: string): void {
    expect(seen).toHaveLength(1)
    expect(seen[0].route).toBe('request')
    const segment = /^\/api\/5\/cohorts\/request\/([^/]+)$/.exec(seen[0].path)?.[1]
    expect(segment).toBeDefined()
    expect(decodeURIComponent(segment as string)).toBe(id)
  }

  it('through the action: refused with no request, or exactly one request for exactly that segment', async () => {
    let accepted = 0
    let refused = 0
    await fc.assert(
      fc.asyncProperty(cohortIds, async raw => {
        // An environment variable cannot hold NUL; the runner cannot pass one either.
        const id = raw.replace(/\0/g, '')
        const before = sim.requests.length
        const result = await runAction({ ...valid(), 'cohort-id': id })
        rmSync(join(result.runnerTemp, '..'), { recursive: true, force: true })
        const seen = sim.requests.slice(before)
        expect(result.exitCode).toBe(1)
        if (seen.length === 0) {
          refused++
          expect(errorLines(result.stdout)).toEqual([expect.stringMatching(/^Input 'cohort-id' /)])
        } else {
          accepted++
          // A list (commas, line breaks) is several cohorts: each one segment, exactly one of the listed IDs.
          const ids = id
            .split(/[,\r\n]/)
            .map(s => s.trim())
            .filter(s => s !== '')
          expect(seen).toHaveLength(ids.length)
          const segments = seen.map(request => {
            expect(request.route).toBe('request')
            const segment = /^\/api\/5\/cohorts\/request\/([^/]+)$/.exec(request.path)?.[1]
            expect(segment).toBeDefined()
            return decodeURIComponent(segment as string)
          })
          expect(segments.sort()).toEqual([...ids].sort())
          expect(errorLines(result.stdout)[0]).toMatch(/Amplitude found no cohort/)
        }
      }),
      { numRuns: 300 }
    )
    expect(accepted).toBeGreaterThan(20)
    expect(refused).toBeGreaterThan(20)
  })

  it('through the client alone (no input validation): still one segment, or refused before sending', async () => {
    const client = new AmplitudeClient({
      baseUrl: sim.apiUrl,
      authorization: `Basic ${sim.basicAuth}`,
      redact: text => text,
      requestTimeoutMs: 5000,
      signal: new AbortController().signal,
      log: { info: () => undefined, debug: () => undefined, warning: () => undefined },
      clock: new TestClock()
    })
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof(cohortIds, fc.constantFrom('', '.', '..', '\ud800')), async id => {
          const before = sim.requests.length
          await expect(client.requestExport(id, false, [])).rejects.toThrow()
          const seen = sim.requests.slice(before)
          if (seen.length > 0) onlyOneSegment(seen, id)
          else expect(['', '.', '..'].includes(id) || !wellFormed(id)).toBe(true)
        }),
        { numRuns: 500, examples: [['.'], ['..'], [''], ['a/../b'], ['%2e%2e']] }
      )
    } finally {
      client.dispose()
    }
  })
})
