// Starts the Amplitude simulator on its own with one cohort and keeps it running until SIGINT/SIGTERM, for runs of
// the action outside the test suite (the `uses: ./` job of .github/workflows/ci.yml, .ci/run, or by hand). It imports
// Node built-ins only, so it runs on a clone without node_modules (test/unit/self-test.test.ts keeps it so).
//
//   node test/sim/serve.mjs [--cohort ID] [--members N] [--props] [--redirect] [--gzip] [--job-ms MS] [--out FILE]
//                           [--detach [--log FILE]]
//
// When the servers listen it prints, and appends to FILE when given (e.g. $GITHUB_OUTPUT), as name=value lines:
// server-url, api-key, secret-key, cohort-id, members, bytes and sha256 of the membership file as served
// (decompressed) — what the action's outputs must then say — and pid, the process serving.
//
// --detach: the simulator runs on in a background process (its own output to --log, default a file in the temp
// folder); this command returns once it listens, on every OS and shell (no `&` and polling loop). Stop it with
// `kill <pid>`; on a GitHub runner the job's end stops it.
import { spawn } from 'node:child_process'
import { appendFileSync, openSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { startSimulator } from './amplitude-simulator.mjs'

const { values } = parseArgs({
  options: {
    cohort: { type: 'string', default: 'ci42x' },
    members: { type: 'string', default: '2500' },
    props: { type: 'boolean', default: false },
    redirect: { type: 'boolean', default: false },
    gzip: { type: 'boolean', default: false },
    'job-ms': { type: 'string', default: '3000' },
    out: { type: 'string' },
    detach: { type: 'boolean', default: false },
    log: { type: 'string' }
  }
})

if (values.detach) {
  const log = values.log ?? join(tmpdir(), `amplitude-sim-${process.pid}.log`)
  const output = openSync(log, 'a')
  const args = process.argv.slice(2).filter(arg => arg !== '--detach')
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...args], {
    detached: true,
    stdio: ['ignore', output, output, 'ipc'],
    windowsHide: true
  })
  /** @type {{ lines: string[] } | undefined} */
  const ready = await new Promise(resolve => {
    const timer = setTimeout(() => {
      child.kill()
      resolve(undefined)
    }, 30_000)
    child.once('message', message => {
      clearTimeout(timer)
      resolve(/** @type {{ lines: string[] }} */ (message))
    })
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(undefined)
    })
  })
  if (!ready) {
    process.stderr.write(readFileSync(log, 'utf8'))
    console.error(`the simulator did not start (its log: ${log})`)
    process.exit(1)
  }
  console.log(ready.lines.join('\n'))
  console.log(`simulator running in the background (log ${log}); stop it with: kill ${child.pid}`)
  child.disconnect()
  child.unref()
  process.exit(0)
}

const sim = await startSimulator()
const cohort = await sim.addCohort(values.cohort, {
  members: Number(values.members),
  props: values.props,
  jobMs: Number(values['job-ms']),
  download: values.redirect ? 'redirect' : 'inline',
  gzip: values.gzip ? 'header' : false
})
const lines = [
  `server-url=${sim.apiUrl}`,
  `api-key=${sim.apiKey}`,
  `secret-key=${sim.secretKey}`,
  `cohort-id=${values.cohort}`,
  `members=${cohort.members}`,
  `bytes=${cohort.bytes}`,
  `sha256=${cohort.sha256}`,
  `pid=${process.pid}`
]
if (values.out) appendFileSync(values.out, `${lines.join('\n')}\n`)
console.log(lines.join('\n'))
console.log(`simulator ready (storage host ${sim.storageUrl}); stop with Ctrl-C`)
// Started with --detach: tell the parent, then let it go.
process.send?.({ lines }, () => process.disconnect())

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) return
    stopping = true
    console.log(`served ${sim.requests.length} requests; stopping`)
    await sim.close()
    process.exit(0)
  })
}
