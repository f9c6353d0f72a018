// `npm run demo`: the action end to end, as a nightly workflow runs it, with nothing but this checkout.
// Starts the Amplitude simulator, Azurite (the artifact blob store), the Actions results-service stub and the GitHub
// REST stub on loopback, then runs `node dist/index.js` on two nights of a demo cohort, each in its own workflow run
// with `compare-with: previous-run`: night 1 has nothing to compare with, night 2 downloads night 1's artifact and
// writes who entered, who left and whose row changed. Shows the action's log as the workflow log would, the outputs,
// the files, and night 2's job summary (its sentence, charts and table).
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

// ---- Two nights of one cohort: night 2 loses every 37th member, gains 250, and 1 in 53 changes plan ------------

const HEADER = 'amplitude_id,user_id,country,plan\n'
const COUNTRIES = ['US', 'DE', 'FR', 'JP', 'BR']
const PLANS = ['free', 'pro', 'enterprise']
const row = (i, plan = PLANS[i % 3]) => `${100000000 + i},user-${i}@example.com,${COUNTRIES[i % 5]},${plan}\n`
const night1 = Array.from({ length: 4321 }, (_, i) => i)
const left = night1.filter(i => i % 37 === 36)
const stayed = night1.filter(i => i % 37 !== 36)
const joined = Array.from({ length: 250 }, (_, i) => 4321 + i)
const upgraded = new Set(stayed.filter(i => i % 53 === 52))
const nights = [
  { content: HEADER + night1.map(i => row(i)).join(''), members: night1.length },
  {
    content:
      HEADER +
      [...stayed, ...joined].map(i => row(i, upgraded.has(i) ? 'enterprise-plus' : PLANS[i % 3])).join(''),
    members: stayed.length + joined.length,
    expected: { enteringCount: joined.length, exitingCount: left.length, changedCount: upgraded.size }
  }
]

// ---- The workflow log, as the runner shows it --------------------------------------------------------------------

// Groups as headings, workflow commands decoded; `::add-mask::` lines (the runner swallows them) and debug lines
// (hidden without step debug logging) are not shown, unless DEMO_DEBUG=1 for debug.
let pending = ''
function show(chunk) {
  pending += chunk
  const lines = pending.split('\n')
  pending = lines.pop() ?? ''
  for (const line of lines) {
    const command = workflowCommand(line)
    if (!command) {
      // @actions/artifact's own line: the digest of the zip it uploaded, not of the CSV file.
      const zip = /^SHA256 digest of uploaded artifact is /.test(line) ? dim('  ← the artifact zip') : ''
      console.log(`  ${line}${zip}`)
      continue
    }
    const message = command.message.replace(/\r/g, '').replace(/\n/g, '\n  ')
    if (command.name === 'debug') {
      if (process.env.DEMO_DEBUG === '1') console.log(dim(`  ${message}`))
    } else if (command.name === 'group') console.log(bold(`▾ ${message}`))
    else if (command.name === 'error') console.log(`Error: ${message}`)
    else if (command.name === 'warning') console.log(`Warning: ${message}`)
    else if (command.name === 'notice') console.log(`Notice: ${message}`)
  }
}

/** The job summary as plain text: headings and tables flattened, the Mermaid blocks as they are. */
function plainSummary(markdown) {
  return markdown
    .replace(/<h2>(.*?)<\/h2>/g, (_, h) => bold(h))
    .replace(/<\/tr>/g, '\n')
    .replace(/<\/t[dh]>/g, ' │ ')
    .replace(/<sub>(.*?)<\/sub>/g, (_, note) => dim(note))
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/ │ $/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

console.log(bold('Starting the local Amplitude simulator, Azurite and the GitHub stubs…'))
// keepTemp: the membership files and the job summaries stay on disk for you to look at after the demo.
const harness = await startHarness({ keepTemp: true })
let exitCode = 0
try {
  const { sim } = harness
  console.log(dim(`  Amplitude API  ${sim.apiUrl}   storage host ${sim.storageUrl}`))
  console.log(dim(`  Azurite        ${harness.azurite.url}`))
  console.log(dim(`  results stub   ${harness.results.url}   GitHub REST stub ${harness.github.url}`))
  let result
  for (const [index, night] of nights.entries()) {
    const number = index + 1
    const cohort = await sim.addCohort(cohortId, {
      content: night.content,
      jobMs: 3000,
      download: 'redirect',
      gzip: 'header'
    })
    // Night 1 runs in the harness's workflow run; night 2 in the next run of the same workflow on the same branch.
    const run = index === 0 ? { env: {} } : harness.newRun()
    console.log()
    console.log(
      bold(
        `Night ${number}: dist/index.js on cohort '${cohortId}' (${night.members.toLocaleString('en-US')} members, ` +
          `a 3-second job), compare-with: previous-run`
      )
    )
    console.log(dim('─'.repeat(100)))
    result = await harness.runAction(
      validInputs(sim, cohortId, {
        'prop-keys': 'country,plan',
        'poll-interval': '1s',
        'retention-days': '7',
        'compare-with': 'previous-run',
        'max-exiting': '5%'
      }),
      { onStdout: show, env: run.env }
    )
    console.log(dim('─'.repeat(100)))
    console.log(bold(`Night ${number}: the action exited with code ${result.code}.`))
    if (result.code !== 0) exitCode = result.code ?? 1
    console.log(bold('Outputs ($GITHUB_OUTPUT):'))
    for (const [name, value] of Object.entries(result.outputs)) {
      console.log(`  ${name.padEnd(14)} ${name === 'results' ? dim(value) : value}`)
    }
    const file = result.outputs.cohortFile
    if (file && existsSync(file)) {
      const same = readFileSync(file).equals(readFileSync(cohort.file))
      console.log(`  identical to the simulator's cohort file: ${same ? 'yes' : 'NO'}`)
      if (!same) exitCode = 1
    }
    const artifact = harness.results.artifacts.get(`amplitude-cohort-${cohortId}`)
    console.log(bold('Two SHA-256 values, of two different things:'))
    console.log(`  the CSV file (output sha256, in the manifest)  ${result.outputs.sha256}`)
    if (artifact) {
      console.log(`  the artifact zip (GitHub's artifact digest)    ${artifact.hash.replace(/^sha256:/, '')}`)
    }
    const { expected } = night
    if (expected) {
      const counts = ['enteringCount', 'exitingCount', 'changedCount'].map(name =>
        Number(result.outputs[name])
      )
      const right = counts.every((n, i) => n === Object.values(expected)[i])
      console.log()
      console.log(
        bold(`Night 2 compared with night 1: `) +
          `${counts[0]} entering, ${counts[1]} exiting, ${counts[2]} changed ` +
          `(the demo changed ${expected.enteringCount}, ${expected.exitingCount} and ${expected.changedCount}: ` +
          `${right ? 'as expected' : 'NOT as expected'})`
      )
      if (!right) exitCode = 1
      for (const name of ['enteringFile', 'exitingFile', 'changedFile']) {
        const lines = readFileSync(result.outputs[name], 'utf8').split('\n')
        console.log(dim(`  ${result.outputs[name]}: ${lines.slice(1, 3).join('  ')}  …`))
      }
    }
  }
  console.log()
  console.log(bold("Night 2's job summary ($GITHUB_STEP_SUMMARY): ") + result.env.GITHUB_STEP_SUMMARY)
  console.log(plainSummary(result.summary))
} finally {
  await harness.stop()
}
process.exit(exitCode)
