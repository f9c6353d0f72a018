// `npm run check:artifact-store`: a self-check of the end-to-end artifact store, without the action. The real
// @actions/artifact client uploads to Azurite through the results-service stub, exactly as dist/index.js does under
// the harness. It tests the stub and the library, not src/, so it is not part of `npm test`: run it after changing
// results-service.mjs or azurite.mjs, or after upgrading @actions/artifact.
//
// The library's `::debug::` and `::add-mask::` lines are dropped (ARTIFACT_CHECK_DEBUG=1 shows them).
import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import assert from 'node:assert/strict'
import { createHash, randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startAzurite } from './azurite.mjs'
import { CONFLICT_MESSAGE, makeRuntimeToken, readZip, startResultsService } from './results-service.mjs'

if (process.env.ARTIFACT_CHECK_DEBUG !== '1') {
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk, ...rest) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    if (text.startsWith('::debug::') || text.startsWith('::add-mask::')) {
      rest.find(r => typeof r === 'function')?.()
      return true
    }
    return write(chunk, ...rest)
  }
}

const ENV = ['ACTIONS_RESULTS_URL', 'ACTIONS_RUNTIME_TOKEN', 'GITHUB_SERVER_URL']
/** @type {Record<string, string | undefined>} */
const saved = {}

const ids = { workflowRunBackendId: randomUUID(), workflowJobRunBackendId: randomUUID() }
const token = makeRuntimeToken(ids)
/** @type {import('./azurite.mjs').Azurite | undefined} */
let azurite
/** @type {import('./results-service.mjs').ResultsService} */
let results
let dir = ''
let file = ''
/** @type {Buffer} */
let content

const sha256 = data => createHash('sha256').update(data).digest('hex')

before(async () => {
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

after(async () => {
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
const upload = name => client.uploadArtifact(name, [file], dir, { compressionLevel: 6 })

describe('artifact store (Azurite + results-service stub)', () => {
  it('uploads the zip through a SAS URL and finalizes it with its size and sha256', async () => {
    const name = 'self-check-upload'
    const uploaded = await upload(name)

    const record = results.artifacts.get(name)
    assert.ok(record)
    assert.equal(record.id, uploaded.id)
    assert.equal(record.finalized, true)
    assert.equal(record.deleted, false)
    const [create] = results.callsOf('CreateArtifact').filter(c => c.body.name === name)
    assert.equal(create.authorization, `Bearer ${token}`)
    for (const [key, value] of Object.entries({
      workflow_run_backend_id: ids.workflowRunBackendId,
      workflow_job_run_backend_id: ids.workflowJobRunBackendId,
      name,
      version: 7,
      mime_type: 'application/zip'
    })) {
      assert.deepEqual(create.body[key], value, key)
    }

    const blob = await results.download(name)
    const [finalize] = results.callsOf('FinalizeArtifact').filter(c => c.body.name === name)
    assert.equal(finalize.status, 200)
    assert.equal(finalize.body.size, String(blob.length))
    assert.equal(finalize.body.hash, `sha256:${sha256(blob)}`)
    assert.equal(record.size, blob.length)
    assert.equal(record.storedSize, blob.length)
    assert.equal(record.hash, `sha256:${sha256(blob)}`)
    assert.deepEqual(uploaded, { id: record.id, size: blob.length, digest: sha256(blob) })

    const entries = readZip(blob)
    assert.deepEqual([...entries.keys()], ['cohort.csv'])
    assert.ok(entries.get('cohort.csv')?.equals(content))
    assert.ok(blob.length < content.length / 2, 'deflated, not stored')
  })

  it('answers a second upload of the same name with the 409 conflict of the real service', async () => {
    const name = 'self-check-conflict'
    await upload(name)
    // The client does not retry a 409: it throws a plain Error at once, and never finalizes.
    const error = await upload(name).then(
      () => undefined,
      e => e
    )
    assert.ok(error instanceof Error)
    assert.equal(error.constructor, Error)
    assert.equal(
      error.message,
      `Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: ${CONFLICT_MESSAGE}`
    )
    const creates = results.callsOf('CreateArtifact').filter(c => c.body.name === name)
    assert.deepEqual(
      creates.map(c => c.status),
      [200, 409]
    )
    assert.deepEqual(creates[1].response, { code: 'already_exists', msg: CONFLICT_MESSAGE })
    assert.equal(results.callsOf('FinalizeArtifact').filter(c => c.body.name === name).length, 1)
  })

  it('accepts the name again after deleteArtifact, under a new id', async () => {
    const name = 'self-check-overwrite'
    const first = await upload(name)
    const firstRecord = results.artifacts.get(name)
    assert.ok(firstRecord)

    assert.deepEqual(await client.deleteArtifact(name), { id: first.id })
    assert.equal(firstRecord.deleted, true)
    assert.equal(await results.blobExists(firstRecord), false)
    assert.deepEqual(results.callsOf('DeleteArtifact').at(-1)?.body, {
      workflow_run_backend_id: ids.workflowRunBackendId,
      workflow_job_run_backend_id: ids.workflowJobRunBackendId,
      name
    })

    const second = await upload(name)
    assert.notEqual(second.id, first.id)
    assert.equal(results.artifacts.get(name)?.id, second.id)
    assert.equal(results.artifacts.get(name)?.deleted, false)
    const { artifacts } = await client.listArtifacts()
    assert.deepEqual(
      artifacts.filter(a => a.name === name).map(a => a.id),
      [second.id]
    )
  })

  it('lets the client download an upload back (ListArtifacts by id, GetSignedArtifactURL)', async () => {
    const name = 'self-check-download'
    const { id } = await upload(name)
    const path = join(dir, 'downloaded')
    mkdirSync(path)
    const { downloadPath, digestMismatch } = await client.downloadArtifact(id, {
      path,
      expectedHash: results.artifacts.get(name)?.hash
    })
    assert.equal(digestMismatch, false)
    assert.ok(readFileSync(join(downloadPath, 'cohort.csv')).equals(content))
    assert.equal(results.callsOf('GetSignedArtifactURL').at(-1)?.status, 200)
  })

  it('throws ArtifactNotFoundError when deleting an artifact that does not exist', async () => {
    await assert.rejects(client.deleteArtifact('self-check-missing'), ArtifactNotFoundError)
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
    assert.equal(response.status, 401)
    assert.equal((await response.json()).code, 'unauthenticated')
  })
})
