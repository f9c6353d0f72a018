// The log of several cohorts exported at once, kept readable: one group per phase (request, wait, download, compare,
// upload), each with one line per cohort event prefixed with the cohort's ID. The cohorts run concurrently, so a
// phase's group is written once every cohort has left that phase (or ended); lines of later phases wait until then.
import type { Toolkit } from '../runtime/toolkit.js'
import { type CohortLog, Phase, PHASE_TITLES } from '../cohort/phases.js'

const PHASES = Object.keys(PHASE_TITLES).map(Number) as Phase[]

type Line = (toolkit: Toolkit) => void

export class PhaseLog {
  private readonly lines: Line[][] = PHASES.map(() => [])
  /** Each cohort's phase (an index of PHASES). */
  private readonly phase = new Map<string, number>()
  private flushed = 0

  constructor(
    private readonly toolkit: Toolkit,
    cohortIds: string[]
  ) {
    for (const id of cohortIds) this.phase.set(id, 0)
  }

  /** The log one cohort writes through: its lines prefixed, grouped by phase. */
  forCohort(cohortId: string): CohortLog {
    const line =
      (write: (t: Toolkit, message: string) => void) =>
      (message: string): void => {
        this.lines[this.phase.get(cohortId) ?? 0].push(t => write(t, `[${cohortId}] ${message}`))
      }
    return {
      info: line((t, m) => t.info(m)),
      debug: line((t, m) => t.debug(m)),
      warning: line((t, m) => t.warning(m)),
      notice: line((t, m) => t.notice(m)),
      // Lines after a step, until the next one starts, stay in that step's group.
      group: (phase, fn) => {
        this.enter(cohortId, phase)
        return fn()
      }
    }
  }

  /** A cohort's export has ended (exported or failed): its lines from now on go to the last group, 'Report'. */
  end(cohortId: string): void {
    this.enter(cohortId, Phase.Report)
  }

  /** Writes every group that no cohort is still in or before; the last one ('Report') only when `final`. */
  flush(final = false): void {
    const lowest = final ? PHASES.length : Math.min(PHASES.length - 1, ...this.phase.values())
    for (; this.flushed < lowest; this.flushed++) this.write(this.flushed)
  }

  private enter(cohortId: string, phase: number): void {
    if (phase > (this.phase.get(cohortId) ?? 0)) this.phase.set(cohortId, phase)
    this.flush()
  }

  private write(phase: Phase): void {
    const lines = this.lines[phase].splice(0)
    if (lines.length === 0) return
    this.toolkit.info(`::group::${PHASE_TITLES[phase].several}`)
    for (const write of lines) write(this.toolkit)
    this.toolkit.info('::endgroup::')
  }
}
