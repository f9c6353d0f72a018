// Download faults, once each: a body shorter than its Content-Length, a connection dropped half-way, an expired
// storage link, corrupt gzip, an empty body. Each is recovered by asking the API file link again (a fresh storage
// link), and the file kept is exactly the cohort's. The same faults on every attempt: download-exhausted.test.ts.
import { describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TestClock } from '../support/test-clock.js'
import { downloadCost, faultSuite, nonZero, record, runExport } from './support.js'

const { sim, cohort } = faultSuite({ members: 20000, props: true, polls: 0 })

describe('a fault once: the file link is asked again and the right file is kept', () => {
  it.each([
    [
      'body shorter than Content-Length (clean close at 50%)',
      'file',
      { kind: 'short', at: 0.5 },
      { download: 'inline' }
    ],
    ['connection dropped at 50%', 'file', { kind: 'truncate', at: 0.5 }, { download: 'inline' }],
    [
      'connection dropped at 50%, gzip',
      'storage',
      { kind: 'truncate', at: 0.5 },
      { download: 'redirect', gzip: 'header' }
    ],
    [
      'connection dropped at 50%, no Content-Length (chunked)',
      'file',
      { kind: 'truncate', at: 0.5 },
      { download: 'inline', contentLength: false }
    ],
    ['connection dropped at 99%', 'storage', { kind: 'truncate', at: 0.99 }, { download: 'redirect' }],
    [
      'storage link expired (403 AccessDenied)',
      'storage',
      {
        status: 403,
        body: '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>'
      },
      { download: 'redirect' }
    ],
    ['corrupt gzip', 'file', { kind: 'corrupt-gzip' }, { download: 'inline', gzip: 'header' }],
    ['empty body although the job said complete', 'file', { kind: 'empty' }, { download: 'inline' }]
  ] as const)('%s', async (name, route, fault, spec) => {
    const { id, expected } = await cohort('once', spec)
    sim.fault(route, fault)
    const run = await runExport(sim, { 'cohort-id': id })
    record(`${name} on \`${route}\`, once`, run)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(run.result.outputs.bytes).toBe(String(expected.bytes))
    expect(run.result.outputs.memberCount).toBe('20000')
    expect(nonZero(run.requests)).toEqual(downloadCost(2, spec.download === 'redirect'))
    expect(run.result.tempFiles.sort()).toEqual([`amplitude-cohort-${id}.csv`, `amplitude-cohort-${id}.json`])
    expect(run.result.stdout).toMatch(
      /::warning::Download attempt 1 failed: .*; asking Amplitude for the file again/
    )
  })
})

describe('what a retry cannot fix, and what the file link says', () => {
  it('a Retry-After on the file link is honoured before the link is asked again', async () => {
    const { id, expected } = await cohort('file-429', { download: 'inline' })
    sim.fault('file', { status: 429, headers: { 'retry-after': '1' } })
    const run = await runExport(sim, { 'cohort-id': id })
    const files = run.seen.filter(r => r.route === 'file')
    record('429 with `Retry-After: 1` on `file`, once', run, `waited ${run.result.sleeps.at(-1)} ms`)
    expect(run.error).toBe('')
    expect(run.result.outputs.sha256).toBe(expected.sha256)
    expect(files).toHaveLength(2)
    // The last wait the action asked for is the one before the file link was asked again.
    expect(run.result.sleeps.at(-1)).toBe(1000)
  })

  it('a folder that vanishes before the download is a write error, not retried', async () => {
    const { id } = await cohort('vanish', { download: 'inline', polls: 3 })
    const dir = mkdtempSync(join(tmpdir(), 'vanishing-'))
    // Remove the folder at the first poll wait: after input validation created and probed it, before the download.
    const clock = new TestClock(undefined, () => rmSync(dir, { recursive: true, force: true }))
    try {
      const run = await runExport(sim, { 'cohort-id': id, path: join(dir, 'members.csv') }, {}, clock)
      record('the folder of `path` removed while polling', run)
      expect(run.result.exitCode).toBe(1)
      expect(run.error).toMatch(/^could not write the file beside 'path': ENOENT$/)
      expect(nonZero(run.requests)).toMatchObject({ request: 1, file: 1 })
      expect(existsSync(dir)).toBe(false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
