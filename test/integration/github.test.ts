// The GitHub REST client against the REST stub, on a test clock: GitHub's rate limits are waited out as GitHub asks
// (Retry-After, then x-ratelimit-reset, then a minute for a secondary limit), within the deadline, and a limit that
// cannot be waited out is said as a rate limit, never as a missing permission. Finding the baseline through it, end
// to end, is in test/e2e/changes.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { describeFailure } from '../../src/report/advice.js'
import { GitHubAccessError, GitHubRateLimitError } from '../../src/errors.js'
import { GitHub } from '../../src/github/rest.js'
import { GitHubApi } from '../e2e/github-api.mjs'
import { TestClock } from '../support/test-clock.js'

const REPOSITORY = 'octo-org/nightly-exports'
const TOKEN = 'ghs_test-token'
let api: GitHubApi

beforeAll(async () => {
  // No artifacts are stored: these tests ask for a run only.
  const results = { history: [] } as unknown as ConstructorParameters<typeof GitHubApi>[0]['results']
  api = await new GitHubApi({ results, repository: REPOSITORY, token: TOKEN }).start()
  api.addRun({ id: 42, workflowId: 7, headBranch: 'main', workflowRunBackendId: 'b' })
})
afterAll(async () => {
  await api.stop()
})

/** A client on a test clock; `deadlineMs` from now. */
function client(deadlineMs = 30 * 60_000) {
  const clock = new TestClock()
  const warnings: string[] = []
  const github = new GitHub({
    apiUrl: api.url,
    repository: REPOSITORY,
    token: TOKEN,
    clock,
    signal: new AbortController().signal,
    log: { info: () => undefined, debug: () => undefined, warning: message => warnings.push(message) },
    redact: text => text,
    requestTimeoutMs: 5000,
    deadline: clock.now() + deadlineMs
  })
  return { github, clock, warnings }
}

describe("GitHub's rate limits", () => {
  it('a 429 waits its Retry-After, without spending the retries of other failures', async () => {
    api.fail(429, 5, { headers: { 'retry-after': '7' }, message: 'API rate limit exceeded' })
    const { github, clock, warnings } = client()
    await expect(github.run('42')).resolves.toMatchObject({ id: 42, conclusion: 'success' })
    github.dispose()
    expect(clock.sleeps).toEqual([7000, 7000, 7000, 7000, 7000])
    expect(warnings[0]).toBe(
      "GitHub's API rate limit was reached (HTTP 429: API rate limit exceeded); waiting 7.0s as GitHub asks"
    )
  })

  it('a primary limit (403, nothing remaining) waits until x-ratelimit-reset', async () => {
    const { github, clock } = client()
    const reset = Math.ceil(clock.now() / 1000) + 120
    api.fail(403, 1, {
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      message: 'API rate limit exceeded for installation ID 1.'
    })
    await github.run('42')
    github.dispose()
    expect(clock.sleeps).toHaveLength(1)
    // Until the reset, plus a second of margin (the test clock's now moves on while the request is sent).
    expect(clock.sleeps[0]).toBeGreaterThan(120_000)
    expect(clock.sleeps[0]).toBeLessThanOrEqual(122_000)
  })

  it('a secondary limit (403 that says so, no headers) waits a minute', async () => {
    api.fail(403, 1, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes.' })
    const { github, clock } = client()
    await github.run('42')
    github.dispose()
    expect(clock.sleeps).toEqual([60_000])
  })

  it('a limit longer than the deadline leaves is a GitHubRateLimitError, explained as such', async () => {
    api.fail(429, 1, { headers: { 'retry-after': '3600' }, message: 'API rate limit exceeded' })
    const { github, clock } = client(10 * 60_000)
    const error = await github.run('42').catch((e: unknown) => e)
    github.dispose()
    expect(clock.sleeps).toEqual([])
    expect(error).toBeInstanceOf(GitHubRateLimitError)
    const message = describeFailure(error)
    expect(message).toMatch(
      /^GitHub's API rate limit was reached \(HTTP 429: API rate limit exceeded\), and it asked to wait 1h00m, longer than 'timeout' leaves/
    )
    expect(message).not.toContain('actions: read')
  })

  it('a 403 that is not a rate limit is a missing permission, at once', async () => {
    api.fail(403, 1)
    const { github, clock } = client()
    await expect(github.run('42')).rejects.toBeInstanceOf(GitHubAccessError)
    github.dispose()
    expect(clock.sleeps).toEqual([])
  })
})
