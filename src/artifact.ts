import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import { basename, dirname } from 'node:path'
import type { Logger } from './amplitude-client.js'
import { Inputs } from './constants.js'
import { messageOf } from './errors.js'

export interface UploadOptions {
  name: string
  retentionDays?: number
  compressionLevel: number
  overwrite: boolean
}

export interface UploadedArtifact {
  id: number
  url: string
  /** Size of the uploaded archive. */
  size?: number
}

/** The artifact's page in the run: `$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/artifacts/<id>`. */
export function artifactUrl(id: number, env: NodeJS.ProcessEnv = process.env): string {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`
}

function conflictError(name: string): Error {
  return new Error(
    `An artifact named '${name}' already exists in this workflow run (a re-run?). Set ` +
      `'${Inputs.Overwrite}: true' to replace it, or choose another '${Inputs.ArtifactName}'.`
  )
}

/**
 * On a re-run, before the export spends one of the account's monthly cohort requests: checks that no artifact of
 * that name exists in this run yet (unless `overwrite`), as after "Re-run all jobs". A failed check (the service
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
  throw conflictError(options.name)
}

/**
 * Uploads the membership file as a workflow artifact. With `overwrite`, an artifact of the same name in this run
 * (a re-run of the job) is deleted first; without it, the name conflict is an error that says what to change.
 */
export async function uploadMembership(
  file: string,
  options: UploadOptions,
  log: Logger
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
    const result = await client.uploadArtifact(options.name, [file], dirname(file), {
      retentionDays: options.retentionDays,
      compressionLevel: options.compressionLevel
    })
    if (result.id === undefined) throw new Error('the artifact service returned no artifact id')
    log.info(`Uploaded ${basename(file)} as artifact '${options.name}' (id ${result.id})`)
    return { id: result.id, url: artifactUrl(result.id), size: result.size }
  } catch (error) {
    if (/\(409\)|already exists/i.test(messageOf(error))) {
      throw conflictError(options.name)
    }
    throw new Error(`The artifact upload failed: ${messageOf(error)}`)
  }
}
