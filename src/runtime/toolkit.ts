import * as core from '@actions/core'
import type { Clock } from './clock.js'

/** The runner's environment (GITHUB_*, RUNNER_*, ACTIONS_*). */
export type Env = Readonly<Record<string, string | undefined>>

/**
 * What every part of a cohort's export is given: where to log, the runner's environment, the clock, the run's
 * cancellation and the secrets' redaction. Not the toolkit: outputs and the step's failure are set at the top.
 */
export interface RunContext {
  log: Log
  env: Env
  clock: Clock
  signal: AbortSignal
  redact: (text: string) => string
}

/** Where the action's modules write their log lines. */
export interface Logger {
  info(message: string): void
  debug(message: string): void
  warning(message: string): void
}

/** A Logger that can also raise a notice annotation. */
export interface Log extends Logger {
  notice(message: string): void
}

/**
 * The little of the Actions toolkit the action uses. `run()` takes one, so tests pass a fake that records what the
 * action did instead of patching `process.env` and stdout.
 */
export interface Toolkit extends Log {
  /** An input's value, trimmed; '' when not set. */
  getInput(name: string): string
  setOutput(name: string, value: string): void
  /** Registers a secret so the runner masks it in every log line. */
  setSecret(secret: string): void
  /** Logs the error and makes the step fail. */
  setFailed(message: string): void
  group<T>(name: string, fn: () => Promise<T>): Promise<T>
  /** Appends HTML/Markdown to the job summary; does nothing where there is none. */
  appendSummary(text: string): Promise<void>
  readonly env: Env
}

/** The toolkit of a real run: `@actions/core` and `process.env`. */
export const actionsToolkit: Toolkit = {
  getInput: name => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, value),
  setSecret: secret => core.setSecret(secret),
  setFailed: message => core.setFailed(message),
  info: message => core.info(message),
  debug: message => core.debug(message),
  warning: message => core.warning(message),
  notice: message => core.notice(message),
  group: (name, fn) => core.group(name, fn),
  appendSummary: async text => {
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(text).write()
  },
  env: process.env
}
