// Starts Azurite's Blob service (the Azure Storage emulator, a devDependency) as a child process on 127.0.0.1 with an
// ephemeral port and in-memory storage, for the artifact uploads of the end-to-end tests.
//
// Azurite must never outlive the process that started it, even when a test fails before its afterAll or the jest
// worker is killed: it runs behind a small watchdog that exits as soon as its stdin pipe closes (which happens when
// the parent dies, however it dies), and the parent also SIGKILLs it on 'exit' (outside jest: the `process` of a
// jest test is a copy with its own listeners, which never sees 'exit').
//
// Plain JavaScript (ESM) so that the jest tests, `npm run demo` and the benchmarks can all load it without a build.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { killOnExit } from '../support/action.mjs'

/** Azurite's well-known development account (https://learn.microsoft.com/azure/storage/common/storage-use-azurite). */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1'
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

const HOST = '127.0.0.1'
const LISTENING = /successfully listens on (http:\/\/[^\s]+)/

/**
 * @typedef {{
 *   url: string,
 *   blobEndpoint: string,
 *   connectionString: string,
 *   accountName: string,
 *   accountKey: string,
 *   pid: number | undefined,
 *   output: () => string,
 *   stop: () => Promise<void>
 * }} Azurite
 *   - `url`: the service origin, `http://127.0.0.1:<port>`.
 *   - `blobEndpoint`: `<url>/devstoreaccount1`, what a `BlobServiceClient` takes.
 *   - `connectionString`: for `BlobServiceClient.fromConnectionString`.
 *   - `output()`: what Azurite printed so far (the tail, for diagnostics).
 *   - `stop()`: kills Azurite and removes its temp folder; idempotent.
 *
 * @typedef {{
 *   timeoutMs?: number,
 *   accessLog?: boolean,
 *   extentMemoryLimitMb?: number,
 *   onOutput?: (text: string) => void
 * }} AzuriteOptions
 *   - `timeoutMs`: how long to wait for Azurite to listen (default 20 s).
 *   - `accessLog`: let Azurite log every request (default false: `--silent`).
 *   - `extentMemoryLimitMb`: cap on the in-memory blob data (default: Azurite's, half the RAM).
 *   - `onOutput`: receives Azurite's stdout and stderr as they come (e.g. `s => process.stderr.write(s)`).
 */

/** Path of Azurite's `azurite-blob` entry point (its package.json `bin`), whatever the node_modules layout. */
export function azuriteBlobMain() {
  const require = createRequire(import.meta.url)
  const pkgFile = require.resolve('azurite/package.json')
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'))
  return resolve(dirname(pkgFile), pkg.bin['azurite-blob'])
}

// The watchdog runs in Azurite's own process: it kills it when stdin reaches EOF (the parent closed it or died), then
// hands over to Azurite's main script with the argv layout Azurite's option parser expects. SIGKILL rather than
// process.exit() so that no exit handler of Azurite's can delay it (the data is in memory, there is nothing to save).
const WATCHDOG = `
const main = process.argv[1]
const die = () => process.kill(process.pid, 'SIGKILL')
process.stdin.on('end', die).on('error', die).resume()
require(main)
`

/**
 * Starts Azurite's Blob service on 127.0.0.1 with an ephemeral port and in-memory storage.
 * @param {AzuriteOptions} [options]
 * @returns {Promise<Azurite>}
 */
export async function startAzurite(options = {}) {
  const timeoutMs = options.timeoutMs ?? 20000
  // Azurite refuses --location together with --inMemoryPersistence; it runs in a fresh temp folder instead, so
  // nothing it might write lands in the checkout.
  const workdir = mkdtempSync(join(tmpdir(), 'azurite-'))
  const args = [
    '--inMemoryPersistence',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--blobHost',
    HOST,
    '--blobPort',
    '0'
  ]
  if (!options.accessLog) args.push('--silent')
  if (options.extentMemoryLimitMb) args.push('--extentMemoryLimit', String(options.extentMemoryLimitMb))

  // `node -e CODE MAIN ...args` gives process.argv = [node, MAIN, ...args], the layout of `node MAIN ...args`.
  const child = spawn(process.execPath, ['-e', WATCHDOG, azuriteBlobMain(), ...args], {
    cwd: workdir,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['pipe', 'pipe', 'pipe']
  })
  killOnExit(child)

  let output = ''
  const exited = new Promise(resolve => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
    // A failed spawn emits 'error' and maybe no 'exit'.
    child.once('error', error => {
      output += `\n${error.message}`
      resolve({ code: null, signal: null })
    })
  })

  let stopping
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // Ref'd again so that the process waits for the exit instead of ending with nothing else to do.
        child.ref()
        child.kill('SIGKILL')
        await exited
      }
      child.stdin.destroy()
      rmSync(workdir, { recursive: true, force: true })
    })()
    return stopping
  }

  let url
  try {
    url = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Azurite did not start listening within ${timeoutMs} ms. Output:\n${output}`)),
        timeoutMs
      )
      const onData = chunk => {
        const text = chunk.toString('utf8')
        output = (output + text).slice(-20000)
        options.onOutput?.(text)
        const match = LISTENING.exec(output)
        if (match) {
          clearTimeout(timer)
          resolve(match[1].replace(/\/+$/, ''))
        }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      exited.then(({ code, signal }) => {
        clearTimeout(timer)
        reject(
          new Error(`Azurite exited before listening (code ${code}, signal ${signal}). Output:\n${output}`)
        )
      })
    })
  } catch (error) {
    await stop()
    throw error
  }

  // Do not keep an otherwise finished process alive; the exit hook and the watchdog still take Azurite down.
  child.unref()
  // The stdio pipes of a child process are net.Sockets.
  const pipes = /** @type {import('node:net').Socket[]} */ ([child.stdin, child.stdout, child.stderr])
  for (const pipe of pipes) pipe.unref()

  const blobEndpoint = `${url}/${AZURITE_ACCOUNT_NAME}`
  return {
    url,
    blobEndpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};` +
      `AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    pid: child.pid,
    output: () => output,
    stop
  }
}
