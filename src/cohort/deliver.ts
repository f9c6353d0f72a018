// Delivery of the membership file as a workflow artifact, and what must hold before an export starts so that the
// file can be delivered. The artifact client (most of the bundle) is imported only when it is needed.
import { Inputs } from '../config/constants.js'
import { InputError } from '../errors.js'
import type { CohortJob } from '../config/inputs.js'
import { type CohortLog, Phase } from './phases.js'
import type { Env, Logger } from '../runtime/toolkit.js'
import { onEnterpriseServer, runAttempt } from '../runtime/runner.js'
import type { UploadedArtifact, UploadOptions } from '../github/artifact.js'

/** What delivery uses of the cohort's job. */
export type DeliveryJob = Pick<
  CohortJob,
  'uploadArtifact' | 'artifactName' | 'retentionDays' | 'compressionLevel' | 'overwrite'
>

export class Delivery {
  private readonly upload?: UploadOptions

  constructor(
    job: DeliveryJob,
    /** Where the checks log, and the runner's environment. */
    private readonly runner: Logger & { env: Env }
  ) {
    if (job.uploadArtifact) {
      this.upload = {
        name: job.artifactName,
        retentionDays: job.retentionDays,
        compressionLevel: job.compressionLevel,
        overwrite: job.overwrite
      }
    }
  }

  /** The upload needs the Actions runtime of github.com or GHE.com: checked before anything else is spent. */
  requireRuntime(): void {
    const { env } = this.runner
    if (this.upload && onEnterpriseServer(env)) {
      throw new InputError(
        Inputs.UploadArtifact,
        'is not available on GitHub Enterprise Server: the artifact client this action uses (@actions/artifact 6) ' +
          "refuses GHES. Set 'upload-artifact: false' and use the file at 'cohortFile' in this job, or upload it with " +
          'the artifact action your server supports'
      )
    }
    if (this.upload && (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL)) {
      throw new InputError(
        Inputs.UploadArtifact,
        'needs the GitHub Actions runtime (ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL are not set): outside a ' +
          "workflow run, set 'upload-artifact: false'"
      )
    }
  }

  /**
   * Before a monthly cohort request is spent: a re-run ("Re-run all jobs") finds the artifact its first attempt
   * uploaded, so the name is checked then (unless `overwrite`). A first attempt skips the check, so the export starts
   * at once.
   */
  async checkName(): Promise<void> {
    if (this.upload && runAttempt(this.runner.env) > 1) {
      const { checkArtifactName } = await import('../github/artifact.js')
      await checkArtifactName(this.upload, this.runner)
    }
  }

  /** Uploads the files (the membership file first); undefined when `upload-artifact` is false. */
  async deliver(files: string[], log: CohortLog): Promise<UploadedArtifact | undefined> {
    const upload = this.upload
    if (!upload) return undefined
    return log.group(Phase.Upload, async () => {
      const { uploadMembership } = await import('../github/artifact.js')
      return uploadMembership(files, upload, log, this.runner.env)
    })
  }
}
