// Starts the Amplitude simulator on its own with one cohort and keeps it running until SIGINT/SIGTERM, for runs of
// the action outside the test suite (the `uses: ./` job of .github/workflows/ci.yml, or by hand).
//
//   node test/sim/serve.mjs [--cohort ID] [--members N] [--props] [--redirect] [--gzip] [--job-ms MS] [--out FILE]
//
// When the servers listen it prints, and appends to FILE when given (e.g. $GITHUB_OUTPUT), as name=value lines:
// server-url, api-key, secret-key, cohort-id, members, bytes and sha256 of the membership file as served
// (decompressed) — what the action's outputs must then say.
import { appendFileSync } from 'node:fs'
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
    out: { type: 'string' }
  }
})

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
  `sha256=${cohort.sha256}`
]
if (values.out) appendFileSync(values.out, `${lines.join('\n')}\n`)
console.log(lines.join('\n'))
console.log(`simulator ready (storage host ${sim.storageUrl}); stop with Ctrl-C`)

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
