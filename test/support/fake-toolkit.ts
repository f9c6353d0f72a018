// A Toolkit for in-process runs of `run()`: inputs and environment from plain objects, and everything the action
// does recorded as the runner would see it: the log in @actions/core's own stdout format (workflow commands
// escaped the same way), outputs by name, the job summary as text, and the exit code.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import type { Toolkit } from '../../src/toolkit.js'

/** action.yml's input defaults, as the runner passes them for inputs a workflow leaves out (expressions excluded). */
const DEFAULTS: Record<string, string> = Object.fromEntries(
  Object.entries(
    (
      parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
        inputs: Record<string, { default?: string }>
      }
    ).inputs
  )
    .filter(([, input]) => input.default !== undefined && !String(input.default).includes('${{'))
    .map(([name, input]) => [name, String(input.default)])
)

/** @actions/core's escaping of a workflow command's data. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

export class FakeToolkit implements Toolkit {
  readonly outputs: Record<string, string> = {}
  summary = ''
  exitCode = 0
  private readonly lines: string[] = []

  constructor(
    private readonly inputs: Record<string, string>,
    readonly env: Record<string, string | undefined>
  ) {}

  /** Everything logged, as @actions/core would have written it to stdout. */
  get stdout(): string {
    return this.lines.join('')
  }

  getInput(name: string): string {
    return (name in this.inputs ? this.inputs[name] : (DEFAULTS[name] ?? '')).trim()
  }

  setOutput(name: string, value: string): void {
    this.outputs[name] = value
  }

  setSecret(secret: string): void {
    this.command('add-mask', secret)
  }

  setFailed(message: string): void {
    this.exitCode = 1
    this.command('error', message)
  }

  info(message: string): void {
    this.lines.push(`${message}\n`)
  }

  debug(message: string): void {
    this.command('debug', message)
  }

  warning(message: string): void {
    this.command('warning', message)
  }

  notice(message: string): void {
    this.command('notice', message)
  }

  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.lines.push(`::group::${name}\n`)
    try {
      return await fn()
    } finally {
      this.lines.push('::endgroup::\n')
    }
  }

  async appendSummary(text: string): Promise<void> {
    this.summary += text
  }

  private command(name: string, data: string): void {
    this.lines.push(`::${name}::${escapeData(data)}\n`)
  }
}
