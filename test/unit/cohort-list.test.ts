import { describe, expect, it } from '@jest/globals'
import { parseCohortList } from '../../src/config/cohort-list.js'
import { UnexpectedResponseError } from '../../src/errors.js'

// The sample of Amplitude's docs (amplitude/amplitude-docs, content/collections/api/en/behavioral-cohorts.md), as
// printed there apart from the outer braces and a trailing comma.
const DOCS_SAMPLE = `{"cohorts": [{
    "appId": 123456, "archived": false,
    "definition": {"version": 3, "countGroup": {"name": "User", "is_computed": false}, "cohortType": "UNIQUES",
        "andClauses": [{"negated": false, "orClauses": [{"type": "event", "time_type": "rolling", "time_value": 30,
        "offset": 0, "interval": 1, "type_value": "_active", "operator": ">=", "operator_value": 1, "group_by": [],
        "metric": null}]}], "referenceFrameTimeParams": {}},
    "description": "test description", "finished": true, "id": "id_12345", "name": "Test Cohort 1",
    "owners": ["demo@amplitude.com"], "viewers": [], "published": true, "size": 111, "type": "redshift",
    "lastMod": 1679437294, "createdAt": 1679437288, "lastComputed": 1679440233,
    "hidden": false, "metadata": null, "view_count": null, "popularity": null, "last_viewed": null,
    "chart_id": null, "edit_id": null, "is_predictive": false, "is_official_content": false,
    "location_id": null, "shortcut_ids": [],
    "syncMetadata": [{"target": "braze", "frequency": "hourly",
        "last_successful": "2023-03-21T16:09:58.848454-07:00", "last_failure": null,
        "params": {"user_id": "demo@amplitude.com"}}]
}]}`

// A recorded response (Amplitude's Postman workspace), first cohort: countGroup a string, description null, no viewers.
const RECORDED = `{"cohorts":[{"appId":360829,"archived":false,"definition":{"version":3,"countGroup":"User",
"cohortType":"UNIQUES"},"description":null,"finished":true,"id":"26umsb5","name":"Cohort 1",
"owners":["dataadmin@amplitude.com"],"published":true,"size":2,"type":"redshift","lastMod":1644006291,
"createdAt":1644006291,"lastComputed":1644006292,"hidden":false,"metadata":null,"view_count":null,"popularity":null,
"last_viewed":null,"chart_id":null,"edit_id":null,"is_predictive":false,"is_official_content":false,
"location_id":null,"shortcut_ids":[]}]}`

const cohort = (fields: Record<string, unknown>) => parseCohortList({ cohorts: [{ id: 'c1', ...fields }] })[0]

describe('parseCohortList: what a dry run needs from GET /api/3/cohorts', () => {
  it("reads the docs' sample: epoch seconds become ms", () => {
    expect(parseCohortList(JSON.parse(DOCS_SAMPLE))).toEqual([
      {
        id: 'id_12345',
        name: 'Test Cohort 1',
        size: 111,
        lastComputed: Date.parse('2023-03-21T23:10:33Z'),
        archived: false
      }
    ])
  })

  it('reads a recorded response', () => {
    expect(parseCohortList(JSON.parse(RECORDED))).toEqual([
      {
        id: '26umsb5',
        name: 'Cohort 1',
        size: 2,
        lastComputed: Date.parse('2022-02-04T20:24:52Z'),
        archived: false
      }
    ])
  })

  it('takes lastComputed in seconds, ms, digit strings or ISO 8601; null for anything else', () => {
    const at = Date.parse('2026-12-01T02:00:00Z')
    expect(cohort({ lastComputed: at / 1000 }).lastComputed).toBe(at)
    expect(cohort({ lastComputed: at }).lastComputed).toBe(at)
    expect(cohort({ lastComputed: String(at / 1000) }).lastComputed).toBe(at)
    expect(cohort({ lastComputed: '2026-12-01T02:00:00Z' }).lastComputed).toBe(at)
    for (const odd of [null, undefined, 0, -5, 'yesterday', 'March 21', true, {}, [at], Number.MAX_VALUE]) {
      expect(cohort({ lastComputed: odd }).lastComputed).toBeNull()
    }
  })

  it('never throws on an odd or missing field: it becomes null (archived: only true counts)', () => {
    expect(cohort({})).toEqual({ id: 'c1', name: null, size: null, lastComputed: null, archived: false })
    expect(cohort({ name: 42, size: -1, archived: 'true' })).toMatchObject({
      name: null,
      size: null,
      archived: false
    })
    expect(cohort({ size: 1.5 }).size).toBeNull()
    expect(cohort({ size: '2500' }).size).toBe(2500)
    expect(cohort({ archived: true }).archived).toBe(true)
  })

  it('leaves out entries that are not objects or have no usable id; a numeric id becomes text', () => {
    const list = parseCohortList({
      cohorts: [null, 'c0', [], { name: 'no id' }, { id: '' }, { id: 1.5 }, { id: 987 }, { id: 'ok' }]
    })
    expect(list.map(c => c.id)).toEqual(['987', 'ok'])
  })

  it('keeps a name one line: control characters and line breaks become spaces, long names are cut', () => {
    const name = cohort({ name: 'VIP\n::warning::pwned\r\n\u2028buyers\u0000' }).name
    expect(name).toBe('VIP ::warning::pwned buyers')
    expect(cohort({ name: ' \n\t ' }).name).toBeNull()
    const long = cohort({ name: '😀'.repeat(300) }).name!
    expect(Array.from(long)).toHaveLength(200)
    expect(long.endsWith('😀…')).toBe(true)
  })

  it('an answer without a cohorts array is an UnexpectedResponseError', () => {
    for (const body of [{}, { cohorts: {} }, { cohorts: null }, { data: [] }, [], null, 'text']) {
      expect(() => parseCohortList(body)).toThrow(UnexpectedResponseError)
    }
    expect(parseCohortList({ cohorts: [] })).toEqual([])
  })
})
