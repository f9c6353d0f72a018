// The e2e harness (test/e2e/harness.mjs: Azurite and the results-service stub) for the sections that upload
// artifacts, started once on first use and stopped with the bench.
import { startHarness } from '../../test/e2e/harness.mjs'
import { GITHUB_REPOSITORY } from '../../test/support/action.mjs'

/** A function that resolves to the one harness of this bench run, starting it on the first call. */
export function lazyHarness(cleanups) {
  let started
  return () =>
    (started ??= startHarness().then(h => {
      cleanups.push(() => h.stop())
      return h
    }))
}

/** The runner variables of the harness's runs (artifact service, run ids), for a process spawned by the bench. */
export function artifactEnv(h) {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY,
    GITHUB_RUN_ID: h.runId,
    GITHUB_RUN_ATTEMPT: '1',
    ACTIONS_RESULTS_URL: h.results.url,
    ACTIONS_RUNTIME_TOKEN: h.token
  }
}
