import { mkdtemp, readdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { UploadedArtifact } from '../github/artifact.js'
import { readDownloaded } from '../github/baseline-checks.js'
import { BaselineError, messageOf } from '../errors.js'
import type { CohortJob } from '../config/inputs.js'
import { type Manifest, siblings } from './manifest.js'
import type { Env, Logger } from '../runtime/toolkit.js'
import { runAttempt } from '../runtime/runner.js'

/** An export an earlier attempt of this run uploaded, put back at `path`: what the report needs. */
export interface Reused {
  manifest: Manifest
  artifact: UploadedArtifact & { name: string }
  path: string
  files: { entering?: string; exiting?: string; changed?: string; skipped?: string }
}

/** What re-use reads of the cohort's job. */
export type ReuseJob = Pick<
  CohortJob,
  'uploadArtifact' | 'reuseOnRerun' | 'artifactName' | 'path' | 'cohortId' | 'includeProps' | 'propKeys'
>

/**
 * On a re-run ("Re-run all jobs" after a downstream failure): the export an earlier attempt of this run uploaded, when
 * it is this cohort's with the same properties and its file matches its manifest's SHA-256, put at `path` (with its
 * change files and manifest beside it), so no Amplitude request is spent. Undefined, with a warning saying why, when
 * it cannot be re-used; undefined silently when there is none or re-use is off.
 */
export async function reuseEarlierAttempt(
  inputs: ReuseJob,
  { log, env }: { log: Logger; env: Env }
): Promise<Reused | undefined> {
  if (!inputs.uploadArtifact || !inputs.reuseOnRerun || runAttempt(env) <= 1) {
    return undefined
  }
  const dir = await mkdtemp(join(dirname(inputs.path), '.reuse-'))
  try {
    const { downloadOwnArtifact } = await import('../github/artifact.js')
    const artifact = await downloadOwnArtifact(inputs.artifactName, dir, env)
    if (!artifact) return undefined
    const refuse = (why: string): undefined => {
      log.warning(
        `Not re-using artifact '${inputs.artifactName}' of an earlier attempt: ${why}; exporting again`
      )
      return undefined
    }
    const found = await readDownloaded(dir, 'of this run').catch((error: unknown) => {
      if (error instanceof BaselineError) return error
      throw error
    })
    if (found instanceof BaselineError) return refuse(found.reason)
    const { manifest, csv } = found
    if (manifest.cohortId !== inputs.cohortId) return refuse(`it is cohort '${manifest.cohortId}'`)
    const same =
      manifest.includeProps === inputs.includeProps &&
      JSON.stringify([...manifest.propKeys].sort()) === JSON.stringify([...inputs.propKeys].sort())
    if (!same) return refuse("it was exported with other 'include-props'/'prop-keys'")
    const files = await placeFiles(dir, csv, manifest, inputs.path)
    return { manifest, artifact: { ...artifact, name: inputs.artifactName }, path: inputs.path, files }
  } catch (error) {
    log.warning(`Could not re-use the artifact of an earlier attempt: ${messageOf(error)}; exporting again`)
    return undefined
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Moves the membership file to `path`, and its change files and manifest beside it under `path`'s name. */
async function placeFiles(
  dir: string,
  csv: string,
  manifest: Manifest,
  path: string
): Promise<Reused['files']> {
  const from = siblings(join(dir, manifest.file))
  const to = siblings(path)
  await rename(csv, path)
  const present = new Set(await readdir(dir))
  const files: Reused['files'] = {}
  for (const kind of ['entering', 'exiting', 'changed', 'skipped'] as const) {
    if (!present.has(basename(from[kind]))) continue
    await rename(from[kind], to[kind])
    files[kind] = to[kind]
  }
  if (present.has(basename(from.manifest))) await rename(from.manifest, to.manifest)
  return files
}
