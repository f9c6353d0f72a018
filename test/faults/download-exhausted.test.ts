// Download faults on every attempt: a connection dropped half-way, a short body, corrupt gzip, an empty body, every
// storage link expired, a CSV cut inside a quoted field. Each ends in a named error after 3 attempts, with nothing at
// `path` (or yesterday's file untouched) and no temporary file.
import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { downloadCost, faultSuite, nonZero, record, runExport } from './support.js'

const { sim, cohort } = faultSuite({ members: 20000, props: true, polls: 0 })

describe('a fault every time: a named error after 3 attempts, nothing at path', () => {
  it.each([
    [
      'connection dropped at 50%',
      'file',
      { kind: 'truncate', at: 0.5, times: 3 },
      { download: 'inline' },
      /the download was interrupted after \d+ bytes \(ECONNRESET\)/
    ],
    [
      'body shorter than Content-Length',
      'storage',
      { kind: 'short', at: 0.5, times: 3 },
      { download: 'redirect' },
      /the download was interrupted after \d+ bytes \(ECONNRESET\)/
    ],
    [
      'corrupt gzip',
      'file',
      { kind: 'corrupt-gzip', times: 3 },
      { download: 'inline' },
      /the file is not valid gzip/
    ],
    [
      'empty body',
      'file',
      { kind: 'empty', times: 3 },
      { download: 'inline' },
      /Amplitude returned an empty file although the export job reported complete/
    ]
  ] as const)('%s on %s', async (name, route, fault, spec, message) => {
    const { id } = await cohort('always', spec)
    sim.fault(route, fault)
    const run = await runExport(sim, { 'cohort-id': id })
    record(`${name} on \`${route}\`, every attempt`, run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toMatch(/^the download failed after 3 attempts: /)
    expect(run.error).toMatch(message)
    expect(nonZero(run.requests)).toEqual(downloadCost(3, spec.download === 'redirect'))
    expect(run.result.tempFiles).toEqual([])
    expect(run.result.outputs.cohortFile).toBeUndefined()
    expect(run.result.outputs.finalStatus).toBe('complete')
  })

  it('every storage link expired (linkTtlMs: 0): three fresh links asked, then a named error', async () => {
    const { id } = await cohort('expired', { download: 'redirect', linkTtlMs: 0 })
    const run = await runExport(sim, { 'cohort-id': id })
    record('storage link expired on every attempt (`linkTtlMs: 0`)', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toBe(
      'the download failed after 3 attempts: the storage host answered 403 (Request has expired)'
    )
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 3, storage: 3 })
    // Each attempt used a new pre-signed link.
    const links = run.seen.filter(r => r.route === 'storage').map(r => r.url)
    expect(new Set(links).size).toBe(3)
    expect(run.result.tempFiles).toEqual([])
  })

  it('a CSV that ends inside a quoted field is never kept', async () => {
    const { id } = await cohort('open-quote', {
      content: 'amplitude_id,user_id,note\n1,u1,"ok"\n2,u2,"cut here\n'
    })
    const run = await runExport(sim, { 'cohort-id': id })
    record('CSV ends inside a quoted field (every attempt)', run)
    expect(run.result.exitCode).toBe(1)
    expect(run.error).toBe(
      'the download failed after 3 attempts: the file ends inside a quoted CSV field: it is truncated or malformed'
    )
    expect(nonZero(run.requests)).toEqual({ request: 1, status: 1, file: 3 })
    expect(run.result.tempFiles).toEqual([])
  })
})

describe('a path that was there before', () => {
  it('a failed download leaves an existing file at path untouched', async () => {
    const { id } = await cohort('keep-old', { download: 'inline' })
    sim.fault('file', { kind: 'truncate', at: 0.5, times: 3 })
    const dir = mkdtempSync(join(tmpdir(), 'faults-keep-'))
    try {
      const path = join(dir, 'members.csv')
      writeFileSync(path, 'amplitude_id,user_id\n1,yesterday\n')
      const run = await runExport(sim, { 'cohort-id': id, path })
      record("dropped download (every attempt) with yesterday's file at `path`", run)
      expect(run.result.exitCode).toBe(1)
      expect(readFileSync(path, 'utf8')).toBe('amplitude_id,user_id\n1,yesterday\n')
      expect(readdirSync(dir)).toEqual(['members.csv'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
