// Self-check of the end-to-end artifact store, without the action: the real @actions/artifact client uploads to
// Azurite through the results-service stub, exactly as dist/index.js will under the harness.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import { createHash, randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAzurite } from './azurite.mjs'
import type { Azurite } from './azurite.mjs'
import {
  CONFLICT_MESSAGE,
  ResultsService,
  makeRuntimeToken,
  readZip,
  startResultsService
} from './results-service.mjs'

const ENV = ['ACTIONS_RESULTS_URL', 'ACTIONS_RUNTIME_TOKEN', 'GITHUB_SERVER_URL'] as const
const saved: Partial<Record<(typeof ENV)[number], string>> = {}

const ids = { workflowRunBackendId: randomUUID(), workflowJobRunBackendId: randomUUID() }
const token = makeRuntimeToken(ids)
let azurite: Azurite | undefined
let results: ResultsService
let dir: string
let file: string
let content: Buffer

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'artifact-store-'))
  // ~200 KB of CSV with multi-byte characters and CRLFs, compressible enough for deflate to matter.
  const rows = ['amplitude_id,user_id,note\r\n']
  for (let i = 0; i < 4000; i++)
    rows.push(`${100000000 + i},user-${i}@example.com,"ünïcödé ✓ ${i * 7919}"\r\n`)
  content = Buffer.from(rows.join(''), 'utf8')
  file = join(dir, 'cohort.csv')
  writeFileSync(file, content)

  azurite = await startAzurite()
  results = await startResultsService({ azurite, token })
  for (const name of ENV) saved[name] = process.env[name]
  // What the harness gives the action; the client reads them on every call.
  process.env.ACTIONS_RESULTS_URL = results.url
  process.env.ACTIONS_RUNTIME_TOKEN = token
  process.env.GITHUB_SERVER_URL = 'https://github.com'
})

afterAll(async () => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
  // Each is stopped even if another one fails to.
  const stopped = await Promise.allSettled([results?.stop(), azurite?.stop()])
  if (dir) rmSync(dir, { recursive: true, force: true })
  for (const s of stopped) if (s.status === 'rejected') throw s.reason
})

const client = new DefaultArtifactClient()
const upload = (name: string) => client.uploadArtifact(name, [file], dir, { compressionLevel: 6 })

describe('artifact store (Azurite + results-service stub)', () => {
  it('uploads the zip through a SAS URL and finalizes it with its size and sha256', async () => {
    const name = 'self-check-upload'
    const uploaded = await upload(name)

    const record = results.artifacts.get(name)
    expect(record).toMatchObject({ id: uploaded.id, finalized: true, deleted: false })
    const [create] = results.callsOf('CreateArtifact').filter(c => c.body.name === name)
    expect(create.authorization).toBe(`Bearer ${token}`)
    expect(create.body).toMatchObject({
      workflow_run_backend_id: ids.workflowRunBackendId,
      workflow_job_run_backend_id: ids.workflowJobRunBackendId,
      name,
      version: 7,
      mime_type: 'application/zip'
    })

    const blob = await results.download(name)
    const [finalize] = results.callsOf('FinalizeArtifact').filter(c => c.body.name === name)
    expect(finalize.status).toBe(200)
    expect(finalize.body.size).toBe(String(blob.length))
    expect(finalize.body.hash).toBe(`sha256:${sha256(blob)}`)
    expect(record).toMatchObject({
      size: blob.length,
      storedSize: blob.length,
      hash: `sha256:${sha256(blob)}`
    })
    expect(uploaded).toEqual({ id: record!.id, size: blob.length, digest: sha256(blob) })

    const entries = readZip(blob)
    expect([...entries.keys()]).toEqual(['cohort.csv'])
    expect(entries.get('cohort.csv')!.equals(content)).toBe(true)
    expect(blob.length).toBeLessThan(content.length / 2) // deflated, not stored
  })

  it('answers a second upload of the same name with the 409 conflict of the real service', async () => {
    const name = 'self-check-conflict'
    await upload(name)
    // The client does not retry a 409: it throws a plain Error at once, and never finalizes.
    const error = await upload(name).then(
      () => undefined,
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).constructor).toBe(Error)
    expect((error as Error).message).toBe(
      `Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: ${CONFLICT_MESSAGE}`
    )
    const creates = results.callsOf('CreateArtifact').filter(c => c.body.name === name)
    expect(creates.map(c => c.status)).toEqual([200, 409])
    expect(creates[1].response).toEqual({ code: 'already_exists', msg: CONFLICT_MESSAGE })
    expect(results.callsOf('FinalizeArtifact').filter(c => c.body.name === name)).toHaveLength(1)
  })

  it('accepts the name again after deleteArtifact, under a new id', async () => {
    const name = 'self-check-overwrite'
    const first = await upload(name)
    const firstRecord = results.artifacts.get(name)!

    await expect(client.deleteArtifact(name)).resolves.toEqual({ id: first.id })
    expect(firstRecord.deleted).toBe(true)
    await expect(results.blobExists(firstRecord)).resolves.toBe(false)
    expect(results.callsOf('DeleteArtifact').at(-1)!.body).toEqual({
      workflow_run_backend_id: ids.workflowRunBackendId,
      workflow_job_run_backend_id: ids.workflowJobRunBackendId,
      name
    })

    const second = await upload(name)
    expect(second.id).not.toBe(first.id)
    expect(results.artifacts.get(name)).toMatchObject({ id: second.id, deleted: false })
    const { artifacts } = await client.listArtifacts()
    expect(artifacts.filter(a => a.name === name).map(a => a.id)).toEqual([second.id])
  })

  it('lets the client download an upload back (ListArtifacts by id, GetSignedArtifactURL)', async () => {
    const name = 'self-check-download'
    const { id } = await upload(name)
    const path = join(dir, 'downloaded')
    mkdirSync(path)
    const { downloadPath, digestMismatch } = await client.downloadArtifact(id!, {
      path,
      expectedHash: results.artifacts.get(name)!.hash
    })
    expect(digestMismatch).toBe(false)
    expect(readFileSync(join(downloadPath!, 'cohort.csv')).equals(content)).toBe(true)
    expect(results.callsOf('GetSignedArtifactURL').at(-1)!.status).toBe(200)
  })

  it('throws ArtifactNotFoundError when deleting an artifact that does not exist', async () => {
    await expect(client.deleteArtifact('self-check-missing')).rejects.toBeInstanceOf(ArtifactNotFoundError)
  })

  it('refuses a request without a bearer token', async () => {
    const response = await fetch(
      new URL('twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts', results.url),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ workflow_run_backend_id: ids.workflowRunBackendId })
      }
    )
    expect(response.status).toBe(401)
    await expect(response.json()).resolves.toMatchObject({ code: 'unauthenticated' })
  })
})
