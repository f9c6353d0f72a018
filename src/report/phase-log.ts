// The log of several cohorts exported at once, kept readable: one group per phase (request, wait, download, compare,
// upload), each with one line per cohort event prefixed with the cohort's ID. The cohorts run concurrently, so a
// phase's group is written once every cohort has left that phase (or ended); lines of later phases wait until then.
import type { Toolkit } from '../runtime/toolkit.js'

const PHASES = [
  'Prepare',
  'Request the cohort export',
  'Wait for the export job',
  'Download the membership file',
  'Compare with the last export',
  'Upload the artifact',
  'Report'
]
const GROUPS = [
  'Prepare (baselines, re-use)',
  'Request the cohort exports',
  'Wait for the export jobs',
  'Download the membership files',
  'Compare with the last exports',
  'Upload the artifacts',
  'Report'
]

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

  /** The toolkit one cohort logs through: its lines prefixed, grouped by phase; outputs and failure stay the step's. */
  forCohort(cohortId: string): Toolkit {
    const { toolkit } = this
    const line =
      (write: (t: Toolkit, message: string) => void) =>
      (message: string): void => {
        this.lines[this.phase.get(cohortId) ?? 0].push(t => write(t, `[${cohortId}] ${message}`))
      }
    return {
      env: toolkit.env,
      getInput: name => toolkit.getInput(name),
      setSecret: secret => toolkit.setSecret(secret),
      setOutput: () => undefined,
      setFailed: () => undefined,
      appendSummary: async () => undefined,
      info: line((t, m) => t.info(m)),
      debug: line((t, m) => t.debug(m)),
      warning: line((t, m) => t.warning(m)),
      notice: line((t, m) => t.notice(m)),
      // Lines after a step, until the next one starts, stay in that step's group.
      group: (name, fn) => {
        this.enter(cohortId, PHASES.indexOf(name))
        return fn()
      }
    }
  }

  /** A cohort's export has ended (exported or failed): its lines from now on go to the last group, 'Report'. */
  end(cohortId: string): void {
    this.enter(cohortId, PHASES.length - 1)
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

  private write(phase: number): void {
    const lines = this.lines[phase].splice(0)
    if (lines.length === 0) return
    this.toolkit.info(`::group::${GROUPS[phase]}`)
    for (const write of lines) write(this.toolkit)
    this.toolkit.info('::endgroup::')
  }
}
