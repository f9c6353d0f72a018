import { afterAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BaselineError, readDownloaded } from '../../src/baseline.js'

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
    file: 'm.csv',
    sha256: sha(CSV),
    memberCount: 2,
    columns: ['amplitude_id'],
    ...extra
  })

describe("readDownloaded: the previous run's artifact is checked against its manifest", () => {
  it('returns the manifest and the file when the SHA-256 matches (other JSON files are not manifests)', async () => {
    const dir = artifact({ 'm.csv': CSV, 'm.json': manifest(), 'other.json': '{"version":2}' })
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

  it('finds no manifest in an artifact of an earlier version, or one naming a path outside the folder', async () => {
    await expect(readDownloaded(artifact({ 'm.csv': CSV }), '77')).resolves.toBeUndefined()
    await expect(
      readDownloaded(artifact({ 'm.csv': CSV, 'm.json': manifest({ file: '../m.csv' }) }), '77')
    ).resolves.toBeUndefined()
  })
})
