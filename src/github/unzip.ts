import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import yauzl from 'yauzl'
import { BaselineError, messageOf } from '../errors.js'
import { type Manifest, readManifest } from '../cohort/manifest.js'

/** A manifest is a few KiB (30 history entries): more is not one. */
const MAX_MANIFEST_BYTES = 1 << 20

/**
 * Takes the manifest and the membership file out of an artifact's zip, from its central directory: the manifest
 * first, then only the file it names, inflated no further than the manifest's `bytes` (yauzl checks that each entry
 * inflates to exactly the size its directory records). A zip bomb, a file larger than its manifest says, or a damaged
 * zip is a BaselineError naming `source`; nothing else in the zip is inflated.
 */
export async function extractBounded(zipPath: string, dir: string, source: string): Promise<Manifest> {
  const fail = (reason: string): BaselineError => new BaselineError(source, reason)
  const zip = await yauzl
    .openPromise(zipPath, { lazyEntries: true, validateEntrySizes: true, autoClose: false })
    .catch(error => {
      throw fail(`its artifact is not a zip that can be read (${messageOf(error)})`)
    })
  try {
    const entries = new Map<string, yauzl.Entry>()
    for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry)
    const manifests = [...entries.keys()].filter(name => name.endsWith('.json') && !name.includes('/'))
    if (manifests.length === 0) throw fail('its artifact has no manifest')
    const manifestEntry = entries.get(manifests[0]) as yauzl.Entry
    if (manifestEntry.uncompressedSize > MAX_MANIFEST_BYTES) {
      throw fail(`its manifest is larger than ${MAX_MANIFEST_BYTES} bytes`)
    }
    const text = await readEntry(zip, manifestEntry).catch(error => {
      throw fail(`its manifest could not be read (${messageOf(error)})`)
    })
    const manifest = readManifest(text, source)
    const file = entries.get(manifest.file)
    if (!file) throw fail(`its artifact has no '${manifest.file}'`)
    if (file.uncompressedSize !== manifest.bytes) {
      throw fail(
        `its '${manifest.file}' inflates to ${file.uncompressedSize} bytes, not the ${manifest.bytes} its manifest records`
      )
    }
    await mkdir(dir, { recursive: true })
    await pipeline(await zip.openReadStreamPromise(file), createWriteStream(join(dir, manifest.file))).catch(
      error => {
        throw fail(`its '${manifest.file}' could not be inflated (${messageOf(error)})`)
      }
    )
    return manifest
  } finally {
    zip.close()
  }
}

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
