// The client's list of cohorts (`GET /api/3/cohorts`) against the simulator through the real HTTP stack: what it
// reads, that it spends no cohort request, and that it shares the other calls' credentials, retries and redaction.
// How each field is read: test/unit/cohort-list.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { AmplitudeClient } from '../../src/amplitude/client.js'
import { AmplitudeRefusedError, GaveUpError, UnexpectedResponseError } from '../../src/errors.js'
import { Redactor } from '../../src/runtime/secrets.js'
import { AmplitudeSimulator } from '../sim/amplitude-simulator.mjs'
import { leaks, secretForms } from '../support/action.mjs'
import { TestClock } from '../support/test-clock.js'

// Random credentials: any 10-character piece of them found in an error is a real leak.
const sim = new AmplitudeSimulator({
  apiKey: randomBytes(16).toString('hex'),
  secretKey: randomBytes(16).toString('hex')
})
const forms = secretForms(sim.apiKey, sim.secretKey)
const open: AmplitudeClient[] = []

beforeAll(async () => {
  await sim.start()
  await sim.addCohort('vip', { members: 25, name: 'VIP buyers', lastComputed: 1_764_554_400 })
  await sim.addCohort('gone', { members: 2, archived: true })
  await sim.addCohort('csv', { content: 'amplitude_id,user_id\n1,"a\nb"\n2,c\n3,d' })
})
afterEach(() => {
  for (const client of open.splice(0)) client.dispose()
  sim.faults.clear()
})
afterAll(() => sim.close())

function client(authorization = `Basic ${sim.basicAuth}`, clock = new TestClock()): AmplitudeClient {
  const made = new AmplitudeClient({
    baseUrl: sim.apiUrl,
    authorization,
    redact: text => new Redactor(forms).redact(text),
    requestTimeoutMs: 5000,
    signal: new AbortController().signal,
    log: { info: () => undefined, debug: () => undefined, warning: () => undefined },
    clock
  })
  open.push(made)
  return made
}

/** The requests the simulator sees while `fn` runs, by route. */
async function seen(fn: () => Promise<unknown>): Promise<{ routes: string[]; result: unknown }> {
  const before = sim.requests.length
  const result = await fn().catch((error: unknown) => error)
  return { routes: sim.requests.slice(before).map(r => r.route), result }
}

describe('AmplitudeClient.listCohorts', () => {
  it('lists every cohort with its name, size, last computation and archived flag, spending no cohort request', async () => {
    const amplitude = client()
    const { routes, result } = await seen(() => amplitude.listCohorts())
    expect(result).toEqual([
      {
        id: 'vip',
        name: 'VIP buyers',
        size: 25,
        lastComputed: Date.parse('2025-12-01T02:00:00Z'),
        archived: false
      },
      { id: 'gone', name: 'Cohort gone', size: 2, lastComputed: expect.any(Number), archived: true },
      // The size of scripted content is its records: the quoted line break is part of a record.
      { id: 'csv', name: 'Cohort csv', size: 3, lastComputed: expect.any(Number), archived: false }
    ])
    expect(routes).toEqual(['cohorts'])
    expect(sim.count('request')).toBe(0)
    expect(amplitude.sent).toEqual({ cohorts: 1, request: 0, status: 0, file: 0, storage: 0 })
    const request = sim.requests.at(-1)!
    expect(request.path).toBe('/api/3/cohorts')
    expect(request.headers.accept).toBe('application/json')
  })

  it("bad keys: the 403 is an AmplitudeRefusedError about the credentials, with Amplitude's words, not retried", async () => {
    const wrong = `Basic ${Buffer.from(`${sim.apiKey}:nope`).toString('base64')}`
    const { routes, result } = await seen(() => client(wrong).listCohorts())
    expect(result).toBeInstanceOf(AmplitudeRefusedError)
    expect((result as AmplitudeRefusedError).reason).toBe('credentials')
    expect((result as Error).message).toBe(
      'Amplitude refused the credentials (HTTP 403: Invalid API/Secret Key combination)'
    )
    expect(routes).toEqual(['cohorts'])
  })

  it('retries a 503 after its Retry-After, as the other JSON calls do', async () => {
    sim.fault('cohorts', { status: 503, headers: { 'retry-after': '7' } })
    const clock = new TestClock()
    const { routes, result } = await seen(() => client(undefined, clock).listCohorts())
    expect((result as unknown[]).length).toBe(3)
    expect(routes).toEqual(['cohorts', 'cohorts'])
    expect(clock.sleeps).toEqual([7000])
  })

  it('a body that is not JSON is retried like the other JSON answers', async () => {
    sim.fault('cohorts', { kind: 'malformed-json' })
    const { routes, result } = await seen(() => client().listCohorts())
    expect((result as unknown[]).length).toBe(3)
    expect(routes).toEqual(['cohorts', 'cohorts'])
  })

  it('an error that echoes the credentials reaches the caller redacted', async () => {
    sim.fault('cohorts', { kind: 'echo', status: 500, times: 5 })
    const { routes, result } = await seen(() => client().listCohorts())
    expect(result).toBeInstanceOf(GaveUpError)
    expect((result as Error).message).toContain('rejected Authorization')
    expect(leaks((result as Error).message, forms)).toEqual([])
    expect(routes).toHaveLength(5)
  })

  it('JSON without a cohorts array is an UnexpectedResponseError, at once', async () => {
    sim.fault('cohorts', { status: 200, body: '{"cohorts":{"vip":{}}}' })
    const { routes, result } = await seen(() => client().listCohorts())
    expect(result).toBeInstanceOf(UnexpectedResponseError)
    expect(routes).toEqual(['cohorts'])
  })

  it('reads a list larger than the 1 MiB allowed to the other JSON answers', async () => {
    await sim.addCohort('big', { members: 1, listed: { definition: { note: 'x'.repeat(3 << 20) } } })
    try {
      const list = await client().listCohorts()
      expect(list.map(c => c.id)).toContain('big')
    } finally {
      sim.cohorts.delete('big')
    }
  })
})
