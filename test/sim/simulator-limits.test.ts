// The simulator made to enforce Amplitude's rate limits (`limits`) really answers 429 beyond them, so that the tests of
// several cohorts and the benchmark can show the action stays within them.
import { afterEach, describe, expect, it } from '@jest/globals'
import { type ClientRequest, type IncomingMessage, request } from 'node:http'
import { AmplitudeSimulator, startSimulator } from './amplitude-simulator.mjs'

let sim: AmplitudeSimulator | undefined
const open: ClientRequest[] = []

afterEach(async () => {
  for (const req of open.splice(0)) req.destroy()
  await sim?.close()
  sim = undefined
})

/** Sends a GET on its own connection (with the API's credentials unless `auth` is false); resolves once the status line and headers are in (the body is left unread). */
function start(url: string, auth = true): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      agent: false,
      headers: auth ? { authorization: `Basic ${sim!.basicAuth}` } : {}
    })
    open.push(req)
    req.on('response', resolve).on('error', reject).end()
  })
}

/** Sends a GET and reads the whole answer. */
async function get(url: string, auth = true): Promise<{ status: number; retryAfter?: string; body: string }> {
  const res = await start(url, auth)
  let body = ''
  for await (const chunk of res) body += chunk
  return { status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body }
}

const api = (path: string) => `${sim!.apiUrl}/api/5/cohorts/${path}`

/** Waits until `condition` holds (the simulator sees a request a moment after the client sent it). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise(resolve => setTimeout(resolve, 10))
  expect(condition()).toBe(true)
}

describe('the simulator with limits', () => {
  it('answers the 5th step-1 request within a rolling minute 429, with Retry-After until a slot frees', async () => {
    let now = 1_000_000
    sim = await startSimulator({ limits: {}, now: () => now })
    await sim.addCohort('c1')
    const statuses: number[] = []
    for (const at of [0, 10_000, 20_000, 30_000]) {
      now = 1_000_000 + at
      statuses.push((await get(api('request/c1'))).status)
    }
    expect(statuses).toEqual([202, 202, 202, 202])

    now = 1_000_000 + 40_000
    const refused = await get(api('request/c1'))
    expect(refused.status).toBe(429)
    // The oldest start (at 0) leaves the window at 60 s: 20 s from now.
    expect(refused.retryAfter).toBe('20')
    expect(JSON.parse(refused.body)).toEqual({
      error: {
        http_code: 429,
        type: 'rate_limited',
        metadata: { details: 'Too many cohort requests: at most 4 per 60 seconds' }
      }
    })

    now = 1_000_000 + 59_999
    expect(await get(api('request/c1'))).toMatchObject({ status: 429, retryAfter: '1' })
    now = 1_000_000 + 60_000
    expect((await get(api('request/c1'))).status).toBe(202)
    // The window is rolling: the start at 10 s still counts, so the next one waits for it.
    expect(await get(api('request/c1'))).toMatchObject({ status: 429, retryAfter: '10' })

    expect(sim.throttled).toBe(3)
    expect(sim.count('request')).toBe(8)
    expect(sim.jobs.size).toBe(5)
  })

  it('answers a 6th API request 429 while 5 are being answered; the storage host is not limited', async () => {
    sim = await startSimulator({ limits: {} })
    await sim.addCohort('slow', { jobMs: 60_000 })
    await sim.addCohort('ready', { jobMs: 0, download: 'redirect' })
    const slow = JSON.parse((await get(api('request/slow'))).body).request_id
    const ready = JSON.parse((await get(api('request/ready'))).body).request_id
    const link = (await start(api(`request/${ready}/file`))).headers.location as string

    // Five status polls of the slow job that the simulator holds open: five requests in flight.
    sim.fault('status', { kind: 'hang', times: 5 })
    for (let i = 0; i < 5; i++) void start(api(`request-status/${slow}`)).catch(() => undefined)
    await until(() => sim!.inFlight === 5)

    const sixth = await get(api(`request-status/${slow}`))
    expect(sixth).toMatchObject({ status: 429, retryAfter: '1' })
    expect(JSON.parse(sixth.body).error.metadata.details).toBe(
      'Too many concurrent requests: at most 5 at once across the API'
    )
    expect((await get(api('request/slow'))).status).toBe(429)
    // Storage downloads are not Amplitude requests.
    expect((await get(link, false)).status).toBe(200) // pre-signed: no Authorization
    expect(sim.throttled).toBe(2)
    // The throttled requests took no scripted fault and were never in flight.
    expect(sim.faults.get('status')).toHaveLength(0)
    expect(sim.peakInFlight).toBe(5)

    // A request stops counting when its connection closes.
    for (const req of open.splice(0)) req.destroy()
    await until(() => sim!.inFlight === 0)
    expect(JSON.parse((await get(api(`request-status/${slow}`))).body).async_status).toBe('JOB INPROGRESS')
  })

  it('counts an inline file download as in flight until its whole body is sent', async () => {
    sim = await startSimulator({ limits: { maxInFlight: 2 } })
    // Large enough that the unread body cannot all fit in the loopback socket buffers.
    await sim.addCohort('big', { jobMs: 0, members: 600_000 })
    const id = JSON.parse((await get(api('request/big'))).body).request_id
    const downloads = [await start(api(`request/${id}/file`)), await start(api(`request/${id}/file`))]
    downloads.forEach(res => res.pause())
    expect(downloads.map(res => res.statusCode)).toEqual([200, 200])
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(sim.inFlight).toBe(2)
    expect((await get(api(`request-status/${id}`))).status).toBe(429)

    // Reading the bodies to the end ends them.
    await Promise.all(downloads.map(res => new Promise(resolve => res.on('end', resolve).resume())))
    await until(() => sim!.inFlight === 0)
    expect((await get(api(`request-status/${id}`))).status).toBe(200)
  })

  it('limits nothing by default', async () => {
    sim = await startSimulator()
    await sim.addCohort('c1')
    const statuses = []
    for (let i = 0; i < 8; i++) statuses.push((await get(api('request/c1'))).status)
    expect(statuses).toEqual(Array(8).fill(202))
    expect(sim.throttled).toBe(0)
  })
})
