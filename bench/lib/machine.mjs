// What the figures were measured on: they are only comparable on the same machine, hence the ratios.
import { execFileSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { cpus, loadavg, totalmem, release, platform } from 'node:os'

function tryRun(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return undefined
  }
}

export function describeMachine(distPath) {
  const cpuList = cpus()
  const curl = tryRun('curl', ['--version'])?.split('\n')[0]
  let distBytes
  try {
    distBytes = statSync(distPath).size
  } catch {
    distBytes = undefined
  }
  return {
    cpu: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memGiB: totalmem() / 2 ** 30,
    os: `${platform()} ${release()}`,
    node: process.version,
    curl: curl ?? 'not found',
    load: loadavg(),
    date: new Date().toISOString(),
    commit: tryRun('git', ['rev-parse', '--short', 'HEAD']),
    dirty: Boolean(tryRun('git', ['status', '--porcelain', '--', 'src', 'dist'])),
    distBytes
  }
}
