// The workflow artifact, through `@actions/artifact`. Loaded lazily (it is most of the bundle): a first attempt that
// does not upload never loads it.
import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import { mkdir, readdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ArtifactError, messageOf } from '../errors.js'
import type { Logger, Toolkit } from '../runtime/toolkit.js'
import { runUrl } from '../runtime/runner.js'

export interface UploadOptions {
  name: string
  retentionDays?: number
  compressionLevel: number
  overwrite: boolean
}

export interface UploadedArtifact {
  id: number
  url: string
}

/** The artifact's page in the run: `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/artifacts/<id>`. */
export function artifactUrl(id: number, env: Toolkit['env']): string {
  return `${runUrl(env)}/artifacts/${id}`
}

function conflict(name: string): ArtifactError {
  return new ArtifactError(
    `An artifact named '${name}' already exists in this workflow run (a re-run?)`,
    name
  )
}

/**
 * Checks that no artifact of that name exists in this run yet (unless `overwrite`). A failed check (the service
 * unreachable) is only a warning: the upload may still work, and it reports its own errors.
 */
export async function checkArtifactName(options: UploadOptions, log: Logger): Promise<void> {
  if (options.overwrite) return
  try {
    const existing = await new DefaultArtifactClient().getArtifact(options.name)
    log.debug(`Artifact '${options.name}' exists (id ${existing.artifact.id})`)
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) return
    log.warning(`Could not check whether artifact '${options.name}' already exists: ${messageOf(error)}`)
    return
  }
  throw conflict(options.name)
}

/**
 * Uploads the membership file (and the files beside it: change files, manifest) as a workflow artifact. With
 * `overwrite`, an artifact of the same name in this run (a re-run of the job) is deleted first; without it, the name
 * conflict is an ArtifactError.
 */
export async function uploadMembership(
  files: string[],
  options: UploadOptions,
  log: Logger,
  env: Toolkit['env']
): Promise<UploadedArtifact> {
  const client = new DefaultArtifactClient()
  if (options.overwrite) {
    try {
      const deleted = await client.deleteArtifact(options.name)
      log.info(
        `Deleted the existing artifact '${options.name}' (id ${deleted.id}) because 'overwrite' is true`
      )
    } catch (error) {
      if (!(error instanceof ArtifactNotFoundError)) throw error
      log.debug(`No existing artifact '${options.name}' to overwrite`)
    }
  }
  try {
    const result = await client.uploadArtifact(options.name, files, dirname(files[0]), {
      retentionDays: options.retentionDays,
      compressionLevel: options.compressionLevel
    })
    if (result.id === undefined) throw new Error('the artifact service returned no artifact id')
    log.info(
      `Uploaded ${files.map(f => basename(f)).join(', ')} as artifact '${options.name}' (id ${result.id})`
    )
    return { id: result.id, url: artifactUrl(result.id, env) }
  } catch (error) {
    if (/\(409\)|already exists/i.test(messageOf(error))) throw conflict(options.name)
    throw new ArtifactError(`The artifact upload failed: ${messageOf(error)}`)
  }
}

export interface RunLocation {
  token: string
  runId: number
  repositoryOwner: string
  repositoryName: string
}

/**
 * Downloads an artifact of another run of this repository into `dir` as its zip, not inflated (the caller inflates
 * what it needs, within bounds); returns the zip's path.
 */
export async function downloadRunArtifact(id: number, from: RunLocation, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true })
  await new DefaultArtifactClient().downloadArtifact(id, {
    path: dir,
    skipDecompress: true,
    findBy: {
      token: from.token,
      workflowRunId: from.runId,
      repositoryOwner: from.repositoryOwner,
      repositoryName: from.repositoryName
    }
  })
  const [file, ...more] = await readdir(dir)
  if (file === undefined || more.length > 0)
    throw new Error(`expected one zip file, found ${more.length + (file ? 1 : 0)}`)
  return join(dir, file)
}

/** This run's artifact of that name (uploaded by an earlier attempt), downloaded into `dir`; undefined when none. */
export async function downloadOwnArtifact(
  name: string,
  dir: string,
  env: Toolkit['env']
): Promise<UploadedArtifact | undefined> {
  const client = new DefaultArtifactClient()
  let id: number
  try {
    id = (await client.getArtifact(name)).artifact.id
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) return undefined
    throw error
  }
  await client.downloadArtifact(id, { path: dir })
  return { id, url: artifactUrl(id, env) }
}
