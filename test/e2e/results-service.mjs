// A stub of the GitHub Actions results service: the Twirp JSON API that `@actions/artifact` v6 calls under
// `$ACTIONS_RESULTS_URL/twirp/github.actions.results.api.v1.ArtifactService/<Method>`, backed by a real blob store
// (Azurite, see ./azurite.mjs) so that the artifact client uploads and downloads through real SAS URLs.
//
// Wire format (protobuf-ts JSON with `useProtoFieldName`, see node_modules/@actions/artifact/lib/generated): fields
// are snake_case, int64 values are strings, google.protobuf.StringValue / Int64Value wrappers are bare values and
// Timestamps are RFC 3339 strings. Errors are Twirp errors, `{ "code": "...", "msg": "..." }` with the matching
// HTTP status; the client retries 429/500/502/503/504 (3 s, then longer) and fails at once on any other status with
// `Failed to <Method>: Received non-retryable error: Failed request: (<status>) <reason>: <msg>`.
//
// Plain JavaScript (ESM) so that the jest tests, `npm run demo` and the benchmarks can all load it without a build.
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { createServer } from 'node:http'
import { pipeline } from 'node:stream/promises'
import * as zlib from 'node:zlib'
import {
  BlobSASPermissions,
  BlobServiceClient,
  SASProtocol,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters
} from '@azure/storage-blob'

export const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService'
/** What the real service answers (HTTP 409, Twirp `already_exists`) to a second artifact of the same name in a run. */
export const CONFLICT_MESSAGE = 'an artifact with this name already exists on the workflow run'

/**
 * @typedef {'CreateArtifact' | 'FinalizeArtifact' | 'ListArtifacts' | 'GetSignedArtifactURL' | 'DeleteArtifact'} Method
 *
 * @typedef {{
 *   method: string,
 *   body: any,
 *   authorization: string | undefined,
 *   status: number,
 *   response: any,
 *   at: number
 * }} Call
 *   One request to the service: the Twirp method name (or the raw path for an unknown route), the parsed JSON body,
 *   the Authorization header, and what was answered.
 *
 * @typedef {{
 *   id: number,
 *   name: string,
 *   workflowRunBackendId: string,
 *   workflowJobRunBackendId: string,
 *   containerName: string,
 *   blobName: string,
 *   mimeType: string | undefined,
 *   version: number | undefined,
 *   expiresAt: string | undefined,
 *   createdAt: Date,
 *   finalized: boolean,
 *   size: number | undefined,
 *   hash: string | undefined,
 *   storedSize: number | undefined,
 *   deleted: boolean
 * }} ArtifactRecord
 *   `size` and `hash` (`sha256:<hex>`) are what FinalizeArtifact reported; `storedSize` is the size of the blob in
 *   the store at that moment.
 *
 * @typedef {{ status?: number, code?: string, msg?: string, times?: number }} Fault
 *   Makes the next `times` (default 1) calls of a method answer a Twirp error instead: HTTP `status` (default 500)
 *   with `code` (default `internal`) and `msg`. Remember that the client waits 3 s or more before retrying a 5xx.
 *
 * @typedef {{
 *   azurite: { blobEndpoint: string, accountName: string, accountKey: string },
 *   token?: string,
 *   sasTtlMs?: number,
 *   firstArtifactId?: number
 * }} ResultsServiceOptions
 *   - `azurite`: the blob store (what `startAzurite()` returns).
 *   - `token`: when given, the bearer token must be exactly this; otherwise any well-formed bearer token passes.
 *   - `sasTtlMs`: lifetime of the signed URLs (default 1 h).
 *   - `firstArtifactId`: the first artifact id handed out (default 1).
 */

/** base64url of a string or buffer. */
function base64url(data) {
  return Buffer.from(data).toString('base64url')
}

/**
 * Makes an `ACTIONS_RUNTIME_TOKEN`: a well-formed JWT (not validly signed) whose `scp` claim carries the backend ids
 * the artifact client reads (`Actions.Results:<workflowRunBackendId>:<workflowJobRunBackendId>`).
 * @param {{ workflowRunBackendId: string, workflowJobRunBackendId: string, ttlSeconds?: number }} ids
 * @returns {string}
 */
export function makeRuntimeToken({ workflowRunBackendId, workflowJobRunBackendId, ttlSeconds = 6 * 3600 }) {
  const now = Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: 'RS256' }
  const payload = {
    nameid: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
    scp: `Actions.ExampleScope Actions.Results:${workflowRunBackendId}:${workflowJobRunBackendId}`,
    iss: 'vstoken.actions.githubusercontent.com',
    aud: 'vso:e2e-harness',
    iat: now,
    nbf: now,
    exp: now + ttlSeconds
  }
  return [
    base64url(JSON.stringify(header)),
    base64url(JSON.stringify(payload)),
    base64url(randomBytes(32))
  ].join('.')
}

/**
 * The payload of a JWT, not verified; undefined when `token` is not a JWT.
 * @param {string} token
 * @returns {Record<string, any> | undefined}
 */
export function decodeJwtPayload(token) {
  const parts = token.split('.')
  if (parts.length !== 3) return undefined
  try {
    return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

/**
 * The entries of a zip archive (as written by @actions/artifact's archiver), read through its central directory.
 * Checks each entry's CRC-32. Not for zip64 archives (over 4 GiB).
 * @param {Buffer} zip
 * @returns {Map<string, Buffer>} entry name → content; directories are left out
 */
export function readZip(zip) {
  // End of central directory record: signature 0x06054b50, at least 22 bytes from the end (plus a comment).
  let eocd = -1
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory record')
  const count = zip.readUInt16LE(eocd + 10)
  let offset = zip.readUInt32LE(eocd + 16)
  if (offset === 0xffffffff) throw new Error('zip64 archives are not supported')
  /** @type {Map<string, Buffer>} */
  const entries = new Map()
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error(`bad central directory entry at ${offset}`)
    const method = zip.readUInt16LE(offset + 10)
    const crc = zip.readUInt32LE(offset + 16)
    const compressedSize = zip.readUInt32LE(offset + 20)
    const nameLength = zip.readUInt16LE(offset + 28)
    const extraLength = zip.readUInt16LE(offset + 30)
    const commentLength = zip.readUInt16LE(offset + 32)
    const localOffset = zip.readUInt32LE(offset + 42)
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength)
    offset += 46 + nameLength + extraLength + commentLength
    if (name.endsWith('/')) continue
    // The local header repeats the name and has its own extra field; the data follows it.
    if (zip.readUInt32LE(localOffset) !== 0x04034b50) throw new Error(`bad local header for ${name}`)
    const localNameLength = zip.readUInt16LE(localOffset + 26)
    const localExtraLength = zip.readUInt16LE(localOffset + 28)
    const dataStart = localOffset + 30 + localNameLength + localExtraLength
    const data = zip.subarray(dataStart, dataStart + compressedSize)
    let content
    if (method === 0) content = Buffer.from(data)
    else if (method === 8) content = zlib.inflateRawSync(data)
    else throw new Error(`${name}: unsupported compression method ${method}`)
    // zlib.crc32 exists from Node 20.15 / 22.2.
    if (typeof zlib.crc32 === 'function' && zlib.crc32(content) !== crc) {
      throw new Error(`${name}: CRC mismatch`)
    }
    entries.set(name, content)
  }
  return entries
}

/**
 * A zip archive of `entries` (stored, not compressed), as a test writes one to stand in for an artifact's blob.
 * @param {Map<string, Buffer>} entries
 * @returns {Buffer}
 */
export function writeZip(entries) {
  const locals = []
  const centrals = []
  let offset = 0
  for (const [name, content] of entries) {
    const nameBytes = Buffer.from(name, 'utf8')
    const crc = zlib.crc32(content)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(content.length, 18)
    local.writeUInt32LE(content.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(content.length, 20)
    central.writeUInt32LE(content.length, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, content)
    centrals.push(central, nameBytes)
    offset += 30 + nameBytes.length + content.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.size, 8)
  end.writeUInt16LE(entries.size, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

class TwirpError extends Error {
  /** @param {number} status @param {string} code @param {string} msg */
  constructor(status, code, msg) {
    super(msg)
    this.status = status
    this.code = code
  }
}

const notFound = msg => new TwirpError(404, 'not_found', msg)

/** Container names: 3-63 of [a-z0-9-]; one container per workflow run, named after a hash of its backend id. */
function containerFor(workflowRunBackendId) {
  return `run-${createHash('sha256').update(workflowRunBackendId).digest('hex').slice(0, 32)}`
}

export class ResultsService {
  /** @param {ResultsServiceOptions} options */
  constructor(options) {
    this.options = options
    const { blobEndpoint, accountName, accountKey } = options.azurite
    this.credential = new StorageSharedKeyCredential(accountName, accountKey)
    this.blobService = new BlobServiceClient(blobEndpoint, this.credential)
    this.sasTtlMs = options.sasTtlMs ?? 3600 * 1000
    /** @type {Call[]} every request, in order */
    this.calls = []
    /** @type {Map<string, ArtifactRecord>} artifact name → its latest record (across runs, see `history`) */
    this.artifacts = new Map()
    /** @type {ArtifactRecord[]} every artifact ever created, deleted ones included */
    this.history = []
    /** @type {Map<string, Fault[]>} */
    this.faults = new Map()
    this.nextId = options.firstArtifactId ?? 1
    /** Runtime tokens of other workflow runs that are accepted too (see the harness's `newRun()`). */
    this.otherTokens = new Set()
    this.sockets = new Set()
    /** The base URL with a trailing slash, the way the runner sets ACTIONS_RESULTS_URL. */
    this.url = ''
  }

  /** Starts the HTTP server on 127.0.0.1 (ephemeral port); resolves to this service. */
  async start() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(error => {
        if (res.headersSent) res.destroy()
        else sendJson(res, 500, { code: 'internal', msg: String(error?.message ?? error) })
      })
    })
    this.server.on('connection', socket => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    this.server.listen(0, '127.0.0.1')
    await once(this.server, 'listening')
    const { port } = /** @type {import('node:net').AddressInfo} */ (this.server.address())
    this.url = `http://127.0.0.1:${port}/`
    return this
  }

  /** Closes the server and its connections; idempotent. */
  async stop() {
    if (!this.server) return
    const server = this.server
    this.server = undefined
    for (const socket of this.sockets) socket.destroy()
    await new Promise(resolve => server.close(() => resolve(undefined)))
  }

  /**
   * The calls of one method, in order.
   * @param {Method} method
   * @returns {Call[]}
   */
  callsOf(method) {
    return this.calls.filter(c => c.method === method)
  }

  /**
   * Injects a Twirp error for the next call(s) of `method` (see Fault).
   * @param {Method} method
   * @param {Fault} [fault]
   */
  fail(method, fault = {}) {
    const list = this.faults.get(method) ?? []
    list.push({ status: 500, code: 'internal', msg: 'injected fault', times: 1, ...fault })
    this.faults.set(method, list)
  }

  /**
   * The bytes of an artifact's blob (its latest record unless `id` is given): a Buffer, or with `toFile` streamed to
   * that file (resolves to its path).
   * @overload
   * @param {string} name
   * @param {{ id?: number }} [options]
   * @returns {Promise<Buffer>}
   *
   * @overload
   * @param {string} name
   * @param {{ id?: number, toFile: string }} options
   * @returns {Promise<string>}
   *
   * @param {string} name
   * @param {{ id?: number, toFile?: string }} [options]
   * @returns {Promise<Buffer | string>}
   */
  async download(name, options = {}) {
    const { id } = options
    const record =
      id === undefined ? this.artifacts.get(name) : this.history.find(a => a.name === name && a.id === id)
    if (!record) throw new Error(`no artifact named '${name}'${id === undefined ? '' : ` with id ${id}`}`)
    const blob = this.blobClient(record)
    if (options.toFile) {
      const response = await blob.download()
      if (!response.readableStreamBody) throw new Error('no body in the blob download')
      await pipeline(response.readableStreamBody, createWriteStream(options.toFile))
      return options.toFile
    }
    return blob.downloadToBuffer()
  }

  /**
   * Replaces the content of a stored artifact's zip (a damaged or tampered artifact, for tests).
   * @param {ArtifactRecord} record
   * @param {Map<string, Buffer>} files entry name → content
   */
  async replaceZip(record, files) {
    const zip = writeZip(files)
    await this.blobClient(record).upload(zip, zip.length)
  }

  /**
   * Whether the blob of an artifact record is (still) in the store.
   * @param {ArtifactRecord} record
   * @returns {Promise<boolean>}
   */
  async blobExists(record) {
    return this.blobClient(record).exists()
  }

  /** @param {ArtifactRecord} record */
  blobClient(record) {
    return this.blobService.getContainerClient(record.containerName).getBlockBlobClient(record.blobName)
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async handle(req, res) {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const raw = Buffer.concat(chunks).toString('utf8')
    const prefix = `/twirp/${ARTIFACT_SERVICE}/`
    const path = (req.url ?? '').split('?')[0]
    const method = path.startsWith(prefix) ? path.slice(prefix.length) : path
    const authorization = req.headers.authorization
    /** @type {Call} */
    const call = { method, body: undefined, authorization, status: 0, response: undefined, at: Date.now() }
    this.calls.push(call)
    let status = 200
    let response
    try {
      if (req.method !== 'POST' || !path.startsWith(prefix) || !Object.hasOwn(HANDLERS, method)) {
        throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${path}`)
      }
      try {
        call.body = raw ? JSON.parse(raw) : {}
      } catch {
        throw new TwirpError(400, 'malformed', 'the request body is not JSON')
      }
      this.authorize(authorization, call.body)
      const fault = this.takeFault(method)
      if (fault) {
        throw new TwirpError(fault.status ?? 500, fault.code ?? 'internal', fault.msg ?? 'injected fault')
      }
      response = await HANDLERS[method].call(this, call.body)
    } catch (error) {
      if (!(error instanceof TwirpError)) throw error
      status = error.status
      response = { code: error.code, msg: error.message }
    }
    call.status = status
    call.response = response
    sendJson(res, status, response)
  }

  /** The bearer token must be there (and match `options.token`, and the run of its scope if it has one). */
  authorize(authorization, body) {
    const match = /^Bearer (\S+)$/.exec(authorization ?? '')
    if (!match) throw new TwirpError(401, 'unauthenticated', 'missing bearer token')
    const token = match[1]
    if (this.options.token !== undefined && token !== this.options.token && !this.otherTokens.has(token)) {
      throw new TwirpError(401, 'unauthenticated', 'invalid bearer token')
    }
    const scope = String(decodeJwtPayload(token)?.scp ?? '')
      .split(' ')
      .find(s => s.startsWith('Actions.Results:'))
    const runId = scope?.split(':')[1]
    if (runId && body.workflow_run_backend_id && body.workflow_run_backend_id !== runId) {
      throw new TwirpError(403, 'permission_denied', 'the token does not grant access to this workflow run')
    }
  }

  /** @param {string} method @returns {Fault | undefined} */
  takeFault(method) {
    const list = this.faults.get(method)
    const fault = list?.[0]
    if (!fault) return undefined
    fault.times = (fault.times ?? 1) - 1
    if (fault.times <= 0) list.shift()
    return fault
  }

  /** The live (not deleted) artifact of a run with that name, finalized or not. */
  find(workflowRunBackendId, name) {
    return this.history.find(
      a => !a.deleted && a.workflowRunBackendId === workflowRunBackendId && a.name === name
    )
  }

  /** A SAS URL for one blob. @param {ArtifactRecord} record @param {string} permissions */
  signedUrl(record, permissions) {
    const now = Date.now()
    const sas = generateBlobSASQueryParameters(
      {
        containerName: record.containerName,
        blobName: record.blobName,
        permissions: BlobSASPermissions.parse(permissions),
        protocol: SASProtocol.HttpsAndHttp,
        startsOn: new Date(now - 5 * 60 * 1000), // clock skew allowance, as real services do
        expiresOn: new Date(now + this.sasTtlMs)
      },
      this.credential
    )
    return `${this.blobClient(record).url}?${sas.toString()}`
  }
}

/** @param {import('node:http').ServerResponse} res @param {number} status @param {unknown} body */
function sendJson(res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function requireFields(body, ...fields) {
  for (const field of fields) {
    if (!body[field]) throw new TwirpError(400, 'invalid_argument', `${field} is required`)
  }
}

/** One handler per Twirp method, called with the service as `this` and the parsed request body. */
const HANDLERS = {
  /** @this {ResultsService} */
  async CreateArtifact(body) {
    requireFields(body, 'workflow_run_backend_id', 'workflow_job_run_backend_id', 'name')
    if (this.find(body.workflow_run_backend_id, body.name)) {
      throw new TwirpError(409, 'already_exists', CONFLICT_MESSAGE)
    }
    const id = this.nextId++
    const containerName = containerFor(body.workflow_run_backend_id)
    await this.blobService.getContainerClient(containerName).createIfNotExists()
    const mimeType = body.mime_type
    /** @type {ArtifactRecord} */
    const record = {
      id,
      name: body.name,
      workflowRunBackendId: body.workflow_run_backend_id,
      workflowJobRunBackendId: body.workflow_job_run_backend_id,
      containerName,
      // Archives get a .zip name, as on the real service; raw files (skipArchive) keep theirs.
      blobName: `${id}/${mimeType === 'application/zip' ? `${body.name}.zip` : body.name}`,
      mimeType,
      version: body.version,
      expiresAt: body.expires_at,
      createdAt: new Date(),
      finalized: false,
      size: undefined,
      hash: undefined,
      storedSize: undefined,
      deleted: false
    }
    this.history.push(record)
    this.artifacts.set(record.name, record)
    return { ok: true, signed_upload_url: this.signedUrl(record, 'rcw') }
  },

  /** @this {ResultsService} */
  async FinalizeArtifact(body) {
    requireFields(body, 'workflow_run_backend_id', 'name')
    const record = this.find(body.workflow_run_backend_id, body.name)
    if (!record) throw notFound(`no artifact named '${body.name}' was created in this workflow run`)
    if (record.finalized) {
      throw new TwirpError(409, 'already_exists', `artifact '${body.name}' is already finalized`)
    }
    const properties = await this.blobClient(record)
      .getProperties()
      .catch(error => {
        if (error?.statusCode === 404)
          throw new TwirpError(412, 'failed_precondition', 'no blob was uploaded')
        throw error
      })
    record.storedSize = properties.contentLength
    record.finalized = true
    record.size = Number(body.size ?? 0)
    record.hash = body.hash
    return { ok: true, artifact_id: String(record.id) }
  },

  /** @this {ResultsService} */
  async ListArtifacts(body) {
    requireFields(body, 'workflow_run_backend_id')
    const artifacts = this.history
      .filter(
        a =>
          !a.deleted &&
          a.finalized &&
          a.workflowRunBackendId === body.workflow_run_backend_id &&
          (body.name_filter === undefined || a.name === body.name_filter) &&
          (body.id_filter === undefined || String(a.id) === String(body.id_filter))
      )
      .map(a => ({
        workflow_run_backend_id: a.workflowRunBackendId,
        workflow_job_run_backend_id: a.workflowJobRunBackendId,
        database_id: String(a.id),
        name: a.name,
        size: String(a.size ?? 0),
        created_at: a.createdAt.toISOString(),
        ...(a.hash ? { digest: a.hash } : {})
      }))
    return { artifacts }
  },

  /** @this {ResultsService} */
  async GetSignedArtifactURL(body) {
    requireFields(body, 'workflow_run_backend_id', 'name')
    const record = this.find(body.workflow_run_backend_id, body.name)
    if (!record?.finalized) throw notFound(`no artifact named '${body.name}' in this workflow run`)
    return { signed_url: this.signedUrl(record, 'r') }
  },

  /** @this {ResultsService} */
  async DeleteArtifact(body) {
    requireFields(body, 'workflow_run_backend_id', 'name')
    const record = this.find(body.workflow_run_backend_id, body.name)
    if (!record?.finalized) throw notFound(`no artifact named '${body.name}' in this workflow run`)
    record.deleted = true
    await this.blobClient(record).deleteIfExists()
    return { ok: true, artifact_id: String(record.id) }
  }
}

/**
 * Starts a results-service stub on 127.0.0.1 (ephemeral port); the caller stops it.
 * @param {ResultsServiceOptions} options
 * @returns {Promise<ResultsService>}
 */
export async function startResultsService(options) {
  return new ResultsService(options).start()
}
