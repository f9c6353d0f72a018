import { afterAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readDownloaded } from '../../src/github/baseline-checks.js'
import { BaselineError } from '../../src/errors.js'

const root = mkdtempSync(join(tmpdir(), 'baseline-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0

const CSV = 'amplitude_id\n1\n2\n'
const sha = (text: string) => createHash('sha256').update(text).digest('hex')

/** A downloaded artifact folder with these files. */
function artifact(files: Record<string, string>): string {
  const dir = mkdtempSync(join(root, `a${++n}-`))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

const manifest = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 1,
    cohortId: 'c1',
    requestId: 'r1',
    finalStatus: 'complete',
    exportedAt: '2026-12-01T02:00:00.000Z',
    file: 'm.csv',
    memberCount: 2,
    bytes: CSV.length,
    sha256: sha(CSV),
    columns: ['amplitude_id'],
    includeProps: false,
    propKeys: [],
    baseline: 'none',
    enteringCount: 2,
    exitingCount: 0,
    changedCount: 0,
    history: [],
    ...extra
  })

describe("readDownloaded: the previous run's artifact is checked against its manifest", () => {
  it('returns the manifest and the file when the SHA-256 matches', async () => {
    const dir = artifact({ 'm.csv': CSV, 'm.json': manifest() })
    await expect(readDownloaded(dir, '77')).resolves.toEqual({
      manifest: expect.objectContaining({ file: 'm.csv' }),
      csv: join(dir, 'm.csv')
    })
  })

  it('refuses a file whose SHA-256 is not the manifest’s, naming the run', async () => {
    const dir = artifact({ 'm.csv': `${CSV}3\n`, 'm.json': manifest() })
    const error = await readDownloaded(dir, '77').catch(e => e as BaselineError)
    expect(error).toBeInstanceOf(BaselineError)
    expect((error as Error).message).toMatch(
      /^The baseline export from run 77 cannot be used: its file's SHA-256 \([0-9a-f]{64}\) is not the one its manifest records/
    )
  })

  it('refuses an artifact whose manifest names a file it does not hold', async () => {
    await expect(readDownloaded(artifact({ 'm.json': manifest() }), '77')).rejects.toThrow(
      "its artifact has no 'm.csv'"
    )
  })

  it('refuses an artifact without a valid manifest, saying what is wrong with it', async () => {
    const reason = (files: Record<string, string>) =>
      readDownloaded(artifact(files), '77').then(
        () => 'accepted',
        (error: BaselineError) => error.reason
      )
    await expect(reason({ 'm.csv': CSV })).resolves.toBe('its artifact has no manifest')
    await expect(reason({ 'm.csv': CSV, 'm.json': manifest().slice(0, 60) })).resolves.toBe(
      'its manifest is not valid JSON (cut short or damaged)'
    )
    await expect(reason({ 'm.csv': CSV, 'm.json': manifest({ file: '../m.csv' }) })).resolves.toBe(
      "its manifest has no valid 'file'"
    )
    for (const field of ['sha256', 'bytes', 'columns']) {
      await expect(reason({ 'm.csv': CSV, 'm.json': manifest({ [field]: undefined }) })).resolves.toBe(
        `its manifest has no valid '${field}'`
      )
    }
    await expect(reason({ 'm.csv': CSV, 'm.json': manifest({ version: 2 }) })).resolves.toBe(
      'its manifest has version 2, not 1'
    )
  })
})
