// `npm run demo`: the action end to end, as a workflow runs it, with nothing but this checkout.
// Starts the Amplitude simulator, Azurite (the artifact blob store) and the results-service stub on loopback, runs
// `node dist/index.js` with the runner's environment on a demo cohort, shows the action's own log as a workflow
// would, then prints the outputs and where the membership file and the job summary are.
import { existsSync, readFileSync } from 'node:fs'
import { ACTION_ENTRY, validInputs, workflowCommand } from '../support/action.mjs'
import { startHarness } from './harness.mjs'

if (!existsSync(ACTION_ENTRY)) {
  console.error('dist/index.js is missing: run `npm run bundle` first.')
  process.exit(1)
}

const cohortId = 'demo42x'
const bold = text => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)
const dim = text => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text)

// Shows the action's stdout the way the workflow log does: groups as headings, workflow commands decoded, debug
// lines hidden unless DEMO_DEBUG=1 (as on the runner without step debug logging).
let pending = ''
function show(chunk) {
  pending += chunk
  const lines = pending.split('\n')
  pending = lines.pop() ?? ''
  for (const line of lines) {
    const command = workflowCommand(line)
    if (!command) {
      console.log(`  ${line}`)
      continue
    }
    const message = command.message.replace(/\r/g, '').replace(/\n/g, '\n  ')
    if (command.name === 'debug') {
      if (process.env.DEMO_DEBUG === '1') console.log(dim(`  ${message}`))
    } else if (command.name === 'add-mask') console.log(dim('  (a secret was registered for masking)'))
    else if (command.name === 'group') console.log(bold(`▾ ${message}`))
    else if (command.name === 'error') console.log(`Error: ${message}`)
    else if (command.name === 'warning') console.log(`Warning: ${message}`)
  }
}

console.log(bold('Starting the local Amplitude simulator, Azurite and the Actions results-service stub…'))
// keepTemp: the membership file and the job summary stay on disk for you to look at after the demo.
const harness = await startHarness({ keepTemp: true })
let exitCode = 1
try {
  const { sim } = harness
  const cohort = await sim.addCohort(cohortId, {
    members: 4321,
    props: true,
    jobMs: 4000,
    download: 'redirect',
    gzip: 'header'
  })
  console.log(dim(`  Amplitude API  ${sim.apiUrl}   storage host ${sim.storageUrl}`))
  console.log(dim(`  Azurite        ${harness.azurite.url}`))
  console.log(dim(`  results stub   ${harness.results.url}`))
  console.log()
  console.log(
    bold(`Running dist/index.js on cohort '${cohortId}' (4,321 members with properties, a 4-second job):`)
  )
  console.log(dim('─'.repeat(100)))
  const result = await harness.runAction(
    validInputs(sim, cohortId, {
      'prop-keys': 'country,plan,note',
      'poll-interval': '1s',
      'retention-days': '7'
    }),
    { onStdout: show }
  )
  console.log(dim('─'.repeat(100)))
  exitCode = result.code ?? 1
  console.log(bold(`The action exited with code ${result.code}.`))
  console.log()
  console.log(bold('Outputs ($GITHUB_OUTPUT):'))
  for (const [name, value] of Object.entries(result.outputs)) console.log(`  ${name.padEnd(12)} ${value}`)
  console.log()
  const file = result.outputs.cohortFile
  if (file && existsSync(file)) {
    const same = readFileSync(file).equals(readFileSync(cohort.file))
    console.log(bold('Membership file: ') + file)
    console.log(`  identical to the simulator's cohort file: ${same ? 'yes' : 'NO'}`)
    console.log(dim(readFileSync(file, 'utf8').split('\n').slice(0, 4).join('\n')))
    console.log(dim('  …'))
  }
  console.log(bold('Job summary ($GITHUB_STEP_SUMMARY): ') + result.env.GITHUB_STEP_SUMMARY)
  console.log(dim(result.summary.trim()))
  const artifact = harness.results.artifacts.get(`amplitude-cohort-${cohortId}`)
  if (artifact) {
    console.log()
    console.log(
      bold('Artifact in Azurite: ') +
        `${artifact.containerName}/${artifact.blobName}, ${artifact.size} bytes, ${artifact.hash}`
    )
  }
} finally {
  await harness.stop()
}
process.exit(exitCode)
