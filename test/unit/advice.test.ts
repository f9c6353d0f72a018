import { describe, expect, it } from '@jest/globals'
import { describeFailure, resumeHint } from '../../src/report/advice.js'
import {
  BaselineError,
  GaveUpError,
  JobFailedError,
  RequestBudgetError,
  TransientError
} from '../../src/errors.js'

const requestedAt = Date.parse('2026-11-29T03:17:00.000Z')
const gaveUp = new GaveUpError('download', new TransientError('the storage host answered 500'), 3, 'attempts')

describe('resumeHint: how to resume after step 1 was spent', () => {
  it('for one cohort: the request-id line to add, valid seven days after step 1', () => {
    expect(resumeHint(gaveUp, { requestId: 'req-1', requestedAt })).toBe(
      "\nTo retry without spending another cohort request, resume export request 'req-1' (valid until " +
        '2026-12-06T03:17:00.000Z) by adding this input to the step:\nrequest-id: req-1'
    )
  })

  it('for one of several cohorts: a step of its own with cohort-id and request-id (request-id takes one cohort)', () => {
    const hint = resumeHint(gaveUp, { requestId: 'req-2', requestedAt }, 'crm-list')
    expect(hint).toContain('in a step of its own')
    expect(hint.endsWith('\ncohort-id: crm-list\nrequest-id: req-2')).toBe(true)
  })

  it('nothing before step 1, nor when the job itself failed', () => {
    expect(resumeHint(gaveUp, undefined)).toBe('')
    expect(resumeHint(new JobFailedError('JOB FAILED', '1.0s'), { requestId: 'r', requestedAt })).toBe('')
  })
})

describe('describeFailure: a request the monthly budget refused', () => {
  it('names the input, shows the count, and says how to go on', () => {
    expect(describeFailure(new RequestBudgetError(300, 300, 'December 2026', '2027-01-01'))).toBe(
      'a cohort request would pass the monthly budget: 300 of 300 spent by this workflow in December 2026 (UTC), so ' +
        "it was not sent ('monthly-request-budget': 300). To go on: wait until 2027-01-01, when the count starts " +
        "again; raise 'monthly-request-budget'; or resume an export already requested with 'request-id', which " +
        'spends no cohort request.'
    )
  })
})

describe('describeFailure: an unusable baseline', () => {
  it('says to re-run later when only its download failed, and to reset the delta once when it is damaged', () => {
    const download = describeFailure(new BaselineError('77', 'the download failed: HTTP 503', true))
    expect(download).toBe(
      'The baseline export from run 77 cannot be used: the download failed: HTTP 503. Nothing was uploaded. No ' +
        'cohort request was spent: re-run later.'
    )
    const damaged = describeFailure(
      new BaselineError('77', 'its manifest is not valid JSON (cut short or damaged)')
    )
    expect(damaged).toMatch(
      /To recover, run once with 'compare-with: none' and import 'cohortFile' as a full replacement/
    )
  })
})
