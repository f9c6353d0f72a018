// A Toolkit for in-process runs of `run()`: inputs (action.yml's defaults for the rest) and environment from plain
// objects, and everything the action does recorded as the runner would see it: the log in @actions/core's own stdout
// format (workflow commands escaped the same way), outputs by name, the job summary as text, and the exit code.
import type { Toolkit } from '../../src/runtime/toolkit.js'
import { actionInputDefaults } from './action.mjs'

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
    return (name in this.inputs ? this.inputs[name] : (actionInputDefaults()[name] ?? '')).trim()
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
