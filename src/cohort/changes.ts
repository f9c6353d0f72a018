import { rm, writeFile } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { type Baseline, type BaselineJob, findBaseline } from '../github/baseline.js'
import type { SpendEntry } from './budget.js'
import { asBaselineError } from '../github/baseline-checks.js'
import { type ChangeFiles, compareMemberships, type Comparison, firstExport } from '../compare/compare.js'
import { Inputs } from '../config/constants.js'
import { headerOf, parseFields } from '../csv/csv.js'
import type { Membership } from '../amplitude/download.js'
import { type HistoryEntry, nextHistory } from '../report/history.js'
import { InputError, MassExitError, MissingKeyColumnError } from '../errors.js'
import type { CohortJob } from '../config/inputs.js'
import type { ColumnChanges } from '../compare/keyed-rows.js'
import { type ExportFacts, manifestOf, siblings } from './manifest.js'
import type { Scheduler } from '../net/scheduler.js'
import type { RunContext } from '../runtime/toolkit.js'
import { type CohortLog, Phase } from './phases.js'

/** What changed since the last export, as the outputs, the summary and the manifest report it. */
export interface ChangeReport {
  /** `none`, `file` or the baseline run's ID. */
  baseline: string
  baselineUrl?: string
  /**
   * Whether the importer must replace the whole list with the membership file (no baseline was used) rather than
   * apply the change files; null when `compare-with` is `none`.
   */
  fullSync: boolean | null
  /** null when no comparison ran. */
  entering: number | null
  exiting: number | null
  changed: number | null
  /** The new file's rows that cannot be matched (empty or repeated keys), in the skipped file. */
  skipped: number | null
  files: Partial<ChangeFiles>
  /** The exports of this cohort so far, oldest first, this one last. */
  history: HistoryEntry[]
}

/** The comparison's facts as the manifest and each `results` entry name them (the outputs' names). */
export interface ChangeCounts {
  /** `none`, `file`, or the ID of the run whose export was compared against. */
  baseline: string
  /** true: no baseline was used, the importer replaces the whole list; null when `compare-with` is `none`. */
  fullSync: boolean | null
  enteringCount: number | null
  exitingCount: number | null
  changedCount: number | null
  /** The rows of the new file that cannot be matched (empty or repeated keys), in `<name>.skipped.csv`. */
  skippedCount: number | null
}

/** A change report's facts under the outputs' names; no comparison (undefined) is `none` and nulls. */
export function changeCounts(report: ChangeReport | undefined): ChangeCounts {
  return {
    baseline: report?.baseline ?? 'none',
    fullSync: report?.fullSync ?? null,
    enteringCount: report?.entering ?? null,
    exitingCount: report?.exiting ?? null,
    changedCount: report?.changed ?? null,
    skippedCount: report?.skipped ?? null
  }
}

/** What the comparison reads of the cohort's job. */
export type ChangesJob = BaselineJob &
  Pick<CohortJob, 'cohortId' | 'includeProps' | 'propKeys' | 'maxExiting' | 'compareKey' | 'requestId'>

type ChangesContext = RunContext & { log: CohortLog; scheduler?: Scheduler }

/**
 * The comparison with the last export: the baseline is found (and fetched) before the export spends a cohort
 * request; after the download, the change files and the manifest are written beside the membership file.
 */
export class Changes {
  private constructor(
    private readonly inputs: ChangesJob,
    private readonly baseline: Baseline | undefined,
    private readonly context: ChangesContext,
    /** This cohort's artifacts of this month, delivered or not (see BaselineLookup). */
    readonly monthExports: SpendEntry[]
  ) {}

  static async prepare(inputs: ChangesJob, context: ChangesContext): Promise<Changes> {
    const { baseline, monthExports } = await findBaseline(inputs, context)
    return new Changes(inputs, baseline, context, monthExports)
  }

  async dispose(): Promise<void> {
    await this.baseline?.dispose()
  }

  /** The exports recorded in the baseline's manifest (none for a file baseline or a first export). */
  get baselineHistory(): HistoryEntry[] | undefined {
    return this.baseline?.manifest?.history
  }

  /**
   * Compares, writes the change files and the manifest; returns the report and the files to deliver. When it fails
   * (or the run is cancelled meanwhile), it leaves no change file and no manifest beside `path`.
   */
  async compute(
    membership: Membership,
    facts: ExportFacts
  ): Promise<{ report: ChangeReport; files: string[] }> {
    const paths = siblings(membership.path)
    try {
      const computed = await this.write(membership, facts, paths)
      this.context.signal.throwIfAborted()
      return computed
    } catch (error) {
      const { entering, exiting, changed, skipped, manifest } = paths
      for (const file of [entering, exiting, changed, skipped, manifest]) await rm(file, { force: true })
      throw error
    }
  }

  private async write(
    membership: Membership,
    facts: ExportFacts,
    paths: ReturnType<typeof siblings>
  ): Promise<{ report: ChangeReport; files: string[] }> {
    const columns = parseFields(...asRecord(await headerOf(membership.path)))
    const report = await this.changeReport(membership, paths)
    // The chain of manifests is the history: the baseline's, plus this export.
    report.history = nextHistory(this.baseline?.manifest?.history ?? [], {
      exportedAt: facts.exportedAt,
      requestId: facts.requestId,
      memberCount: membership.members,
      enteringCount: report.entering,
      exitingCount: report.exiting,
      // A resumed export (`request-id`) spent no cohort request tonight.
      requests: this.inputs.requestId ? 0 : 1,
      ...(this.context.env.GITHUB_RUN_ID ? { runId: this.context.env.GITHUB_RUN_ID } : {})
    })
    const manifest = manifestOf(facts, membership, columns, this.inputs, report)
    await writeFile(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`)
    const files = [
      membership.path,
      ...Object.values(report.files).filter(f => f !== undefined),
      paths.manifest
    ]
    return { report, files }
  }

  /** The comparison's report: none, a first export (every member entering), or what changed since the baseline. */
  private async changeReport(
    membership: Membership,
    paths: ReturnType<typeof siblings>
  ): Promise<ChangeReport> {
    const none: ChangeReport = {
      baseline: 'none',
      fullSync: null,
      entering: null,
      exiting: null,
      changed: null,
      skipped: null,
      files: {},
      history: []
    }
    if (this.inputs.compareWith.kind === 'none') return none
    const { entering, exiting, changed, skipped } = paths
    const files: ChangeFiles = { entering, exiting, changed, skipped }
    if (!this.baseline) {
      // findBaseline() said why there is none (a first export, or a lost one with 'on-missing-baseline: full').
      await firstExport(membership.path, files)
      return {
        ...none,
        fullSync: true,
        entering: membership.members,
        exiting: 0,
        changed: 0,
        skipped: 0,
        files
      }
    }
    const result = await this.context.log.group(Phase.Compare, () => this.compare(membership.path, files))
    return {
      ...none,
      baseline: this.baseline.source,
      baselineUrl: this.baseline.runUrl,
      fullSync: false,
      entering: result.entering,
      exiting: result.exiting,
      changed: result.changed,
      skipped: result.skipped,
      files
    }
  }

  private async compare(current: string, files: ChangeFiles): Promise<Comparison> {
    const baseline = this.baseline as Baseline
    const { inputs } = this
    const { log: toolkit } = this.context
    let result: Comparison
    try {
      const { signal, scheduler } = this.context
      result = await compareMemberships(current, baseline.csv, inputs.compareKey, files, dirname(current), {
        signal,
        scheduler
      })
    } catch (error) {
      if (error instanceof MissingKeyColumnError && error.file === 'current') {
        throw new InputError(
          Inputs.CompareKey,
          `names the column '${inputs.compareKey}', which the new file does not have (its columns: ${error.columns.join(', ')})`
        )
      }
      throw asBaselineError(error, baseline.source, inputs.compareKey)
    }
    toolkit.info(
      result.method === 'merge'
        ? `Both files are in '${inputs.compareKey}' order: compared in one pass`
        : `The files are not both in '${inputs.compareKey}' order: compared by hash`
    )
    // The baseline's are left out; tonight's go to the skipped file.
    const where = (file: string): string =>
      file === 'current' ? `in ${basename(files.skipped)}` : 'left out of the change files'
    for (const [file, count] of Object.entries(result.emptyKeys)) {
      if (count > 0) {
        toolkit.warning(
          `${file}: ${count} rows with an empty '${inputs.compareKey}' cannot be matched, and are ${where(file)}`
        )
      }
    }
    for (const [file, count] of Object.entries(result.duplicateKeys)) {
      if (count > 0) {
        toolkit.warning(
          `${file}: ${count} rows repeat an earlier '${inputs.compareKey}'; the first occurrence counts, the others ` +
            `are ${where(file)}`
        )
      }
    }
    if (result.columns.differ) toolkit.notice(columnsNotice(result.columns))
    // A count, or a share of the baseline's members (with a non-empty key, each counted once).
    const max = inputs.maxExiting
    if (max) {
      const limit = 'count' in max ? max.count : (result.baselineMembers * max.percent) / 100
      const text =
        'count' in max ? String(max.count) : `${max.percent}% (${limit} of ${result.baselineMembers})`
      if (result.exiting > limit) throw new MassExitError(result.exiting, text, result.baselineMembers)
    }
    return result
  }
}

/** What the notice says when the columns differ: the names added and removed, or that only their order changed. */
function columnsNotice(columns: ColumnChanges): string {
  // Names as the files have them, shortened, and not too many.
  const shown = (name: string): string => `'${name.length > 60 ? `${name.slice(0, 60)}…` : name}'`
  const list = (names: string[]): string =>
    names.slice(0, 20).map(shown).join(', ') + (names.length > 20 ? ` and ${names.length - 20} more` : '')
  const what = [
    ...(columns.added.length ? [`added ${list(columns.added)}`] : []),
    ...(columns.removed.length ? [`removed ${list(columns.removed)}`] : [])
  ]
  return (
    `The columns differ from the baseline's (${what.length ? what.join('; ') : 'the same names in another order'}): ` +
    'members are matched by key, and every member in both files counts as changed'
  )
}

/** A header buffer as the arguments of parseFields. */
function asRecord(header: Buffer): [Buffer, number, number] {
  return [header, 0, header.length]
}
