// The simulator's list of cohorts (`GET /api/3/cohorts`) keeps the shape of Amplitude's docs, so that the client's
// tests against it mean something. The client's side: test/integration/cohort-list.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { AmplitudeSimulator, startSimulator } from './amplitude-simulator.mjs'

let sim: AmplitudeSimulator

beforeAll(async () => {
  sim = await startSimulator({ now: () => Date.parse('2026-12-01T02:00:00Z') })
  await sim.addCohort('c1', { members: 4 })
  await sim.addCohort('c2', {
    members: 4,
    name: 'Renamed',
    size: 9,
    listed: { size: 'odd', owners: undefined }
  })
})
afterAll(() => sim.close())

// COHORT_OBJECT in amplitude/amplitude-docs, content/collections/api/en/behavioral-cohorts.md (syncMetadata aside).
const DOCUMENTED = [
  'appId',
  'archived',
  'definition',
  'description',
  'finished',
  'id',
  'name',
  'owners',
  'viewers',
  'published',
  'size',
  'type',
  'lastMod',
  'createdAt',
  'lastComputed',
  'hidden',
  'metadata',
  'view_count',
  'popularity',
  'last_viewed',
  'chart_id',
  'edit_id',
  'is_predictive',
  'is_official_content',
  'location_id',
  'shortcut_ids'
]

async function list(query = ''): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${sim.apiUrl}/api/3/cohorts${query}`, {
    headers: { authorization: `Basic ${sim.basicAuth}` }
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { cohorts: Record<string, unknown>[] }).cohorts
}

describe('the simulator: GET /api/3/cohorts', () => {
  it("answers every cohort with the documented fields, timestamps in epoch seconds as in the docs' sample", async () => {
    const [c1] = await list()
    expect(Object.keys(c1).sort()).toEqual([...DOCUMENTED].sort())
    expect(c1).toMatchObject({ id: 'c1', name: 'Cohort c1', size: 4, archived: false, published: true })
    expect(c1.lastComputed).toBe(Date.parse('2026-12-01T02:00:00Z') / 1000)
    for (const field of ['lastMod', 'createdAt', 'lastComputed'])
      expect(String(c1[field])).toMatch(/^\d{10}$/)
  })

  it('adds syncMetadata with includeSyncInfo=true; `listed` replaces or leaves out fields as served', async () => {
    const [c1, c2] = await list('?includeSyncInfo=true')
    expect(c1.syncMetadata).toEqual([])
    expect(c2).toMatchObject({ name: 'Renamed', size: 'odd' })
    expect('owners' in c2).toBe(false)
  })
})
