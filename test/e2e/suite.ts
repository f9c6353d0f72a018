// The lifecycle every end-to-end test file shares: one harness (simulator, Azurite, the results-service and GitHub
// REST stubs) started before the file's tests and stopped after them.
import { afterAll, beforeAll } from '@jest/globals'
import { startHarness } from './harness.mjs'

export type Harness = Awaited<ReturnType<typeof startHarness>>

/** Starts a harness for this test file; returns a getter (the harness exists once beforeAll has run). */
export function harnessSuite(options?: Parameters<typeof startHarness>[0]): () => Harness {
  let harness: Harness | undefined
  beforeAll(async () => {
    harness = await startHarness(options)
  }, 60_000)
  afterAll(async () => {
    await harness?.stop()
  })
  return () => {
    if (!harness) throw new Error('the harness is not started yet (use it inside a test)')
    return harness
  }
}
