import { describe, expect, it } from '@jest/globals'
import { parseDuration } from '../../src/config/duration.js'
import { formatBytes, formatDuration } from '../../src/report/format.js'
import { normalizeStatus } from '../../src/amplitude/job-status.js'
import { Redactor } from '../../src/runtime/secrets.js'

describe('normalizeStatus: both vocabularies map onto queued/computing/complete/failed', () => {
  it.each([
    ['JOB INPROGRESS', 'computing'],
    ['JOB COMPLETED', 'complete'],
    ['JOB FAILED', 'failed'],
    ['JOB QUEUED', 'queued'],
    ['queued', 'queued'],
    ['computing', 'computing'],
    ['complete', 'complete'],
    ['failed', 'failed'],
    ['  Complete ', 'complete'],
    ['job_inprogress', 'computing'],
    ['JOB PAUSED', 'unknown'],
    ['completed-ish', 'unknown'],
    ['', 'unknown']
  ])('%j → %s', (raw, expected) => {
    expect(normalizeStatus(raw)).toBe(expected)
  })

  it.each([undefined, null, 3, {}, ['complete']])('%j (not a string) → unknown', raw => {
    expect(normalizeStatus(raw)).toBe('unknown')
  })
})

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1h30m15s', 5_415_000],
    ['1.5h', 5_400_000],
    ['90', 90_000],
    ['0.5', 500],
    [' 5S ', 5000]
  ])('%j → %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', ' ', 'abc', '5 apples', '-5s', '5d', '5 s', 's', '1h 30m', '5s!', '0x10', 'Infinity', '1e3s'])(
    '%j is not a duration',
    text => {
      expect(parseDuration(text)).toBeUndefined()
    }
  )
})

describe('formatting for logs', () => {
  it.each([
    [850, '850ms'],
    [12_340, '12.3s'],
    [245_000, '4m05s'],
    [3_720_000, '1h02m']
  ])('formatDuration(%i) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })

  it.each([
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [5 * 1024 * 1024, '5.0 MiB']
  ])('formatBytes(%i) = %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})

describe('Redactor', () => {
  it('replaces every secret form, longest first, and ignores trivial strings', () => {
    const redactor = new Redactor(['key123', 'key123:secret456', 'secret456', 'a', ''])
    expect(redactor.redact('user key123:secret456 then key123 and secret456, a b')).toBe(
      'user *** then *** and ***, a b'
    )
  })
})
