// What the runner's environment says about this workflow run, each read in one place: the attempt, the server, the
// run's page, and whether the server is GitHub Enterprise Server.
import type { Env } from './toolkit.js'

/** This run's attempt: 1 for the first, more on a re-run ("Re-run all jobs"). */
export function runAttempt(env: Env): number {
  return Number(env.GITHUB_RUN_ATTEMPT || '1')
}

/** The GitHub server's URL, without a trailing slash (github.com when not set). */
export function serverUrl(env: Env): string {
  return (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '')
}

/** A workflow run's page in this repository (this run's when no ID is given). */
export function runUrl(env: Env, runId: string | number | undefined = env.GITHUB_RUN_ID): string {
  return `${serverUrl(env)}/${env.GITHUB_REPOSITORY}/actions/runs/${runId}`
}

/**
 * Whether the run is on GitHub Enterprise Server, as `@actions/artifact` decides it (it refuses every call there):
 * any server but github.com, GHE.com (data residency) and *.localhost.
 */
export function onEnterpriseServer(env: Env): boolean {
  const host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname.toLowerCase()
  return host !== 'github.com' && !host.endsWith('.ghe.com') && !host.endsWith('.localhost')
}
