// `npm run bench`: the performance benchmarks (constant memory, near-curl download speed, few polls, fast start), each
// figure a ratio against a baseline measured in the same invocation, medians of BENCH_RUNS runs (default 5). Writes
// bench/results.md: every table, then bench/notes.md. docs/benchmarks.md (by hand) keeps the targets table and a
// paragraph per miss, dated with the commit measured.
//
//   npm run bench                                  full run (~10 min on 2 cores), writes bench/results.md
//   BENCH_QUICK=1 npm run bench                    smoke run: small files, 2 runs, writes bench/out/benchmarks.md
//   BENCH_SECTIONS=download,startup npm run bench  only some of: memory, download, upload, polling, startup, compare, several
//   BENCH_RUNS=7 BENCH_OUTPUT=/tmp/b.md …          more runs, another report file
//   BENCH_DIST=path/to/index.js …                  another bundle (see bench/variant.mjs)
//   BENCH_VS=path/to/index.js,… …                  more bundles, run in turn with BENCH_DIST in the same rounds
//                                                  (start-up, compare); named by their bench/out/variants/<name>
//   BENCH_MEMBERS=2000000 …                        only some cohort sizes (members) in the compare section
//   BENCH_SIZES=10,500 BENCH_KINDS=inline-plain …  only some file sizes (MB) / ways of serving them
//   BENCH_SRC=bench/out/variants/<name>/src …      another poll schedule (the polling section reads the source)
//
// Needs: a built dist/index.js (`npm run bundle`), curl, /usr/bin/time (GNU time). Loopback only.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchArtifacts } from './artifact.mjs'
import { benchCompare } from './compare.mjs'
import { benchSeveral } from './several.mjs'
import { benchDownload } from './download.mjs'
import { CohortStore } from './lib/cohorts.mjs'
import { lazyHarness } from './lib/harness.mjs'
import { describeMachine } from './lib/machine.mjs'
import { startRemoteSimulator } from './lib/sim-remote.mjs'
import { fixed, progress, table } from './lib/util.mjs'
import { benchPolling } from './polling.mjs'
import { benchStartup } from './startup.mjs'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const env = process.env
const quick = env.BENCH_QUICK === '1'
const runs = Number(env.BENCH_RUNS ?? (quick ? 2 : 5))
const sections = new Set(
  (env.BENCH_SECTIONS ?? 'memory,download,upload,polling,startup,compare,several')
    .split(',')
    .map(s => s.trim())
)
const dist = resolve(env.BENCH_DIST ?? join(ROOT, 'dist', 'index.js'))
const others = (env.BENCH_VS ?? '')
  .split(',')
  .filter(Boolean)
  .map(path => ({
    name: /variants\/([^/]+)\//.exec(path)?.[1] ?? relative(ROOT, resolve(path)),
    dist: resolve(path)
  }))
const members = env.BENCH_MEMBERS?.split(',').map(Number)
const output = resolve(env.BENCH_OUTPUT ?? join(ROOT, quick ? 'bench/out/benchmarks.md' : 'bench/results.md'))
const sizes = env.BENCH_SIZES ? env.BENCH_SIZES.split(',').map(Number) : quick ? [2, 10, 50] : [10, 100, 500]
const kinds = env.BENCH_KINDS?.split(',').map(s => s.trim())
const downloadSizeMB = quick ? 50 : 100
// The whole run is bounded: past this, everything started is stopped and the bench fails.
const deadlineMs = Number(env.BENCH_TIMEOUT_MS ?? 40 * 60_000)

const cleanups = []
async function cleanup() {
  while (cleanups.length)
    await cleanups
      .pop()()
      .catch(error => progress(`cleanup: ${error.message}`))
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    progress(`${signal}: stopping`)
    cleanup().finally(() => process.exit(130))
  })
}
const watchdog = setTimeout(() => {
  progress(`the bench did not finish within ${deadlineMs / 60_000} min: stopping`)
  cleanup().finally(() => process.exit(2))
}, deadlineMs)
watchdog.unref()

async function main() {
  const started = performance.now()
  const machine = describeMachine(dist)
  progress(
    `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${runs} runs; sections: ${[...sections]}`
  )
  mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true })
  const tmp = mkdtempSync(join(ROOT, 'bench', 'out', 'run-'))
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }))
  const sim = await startRemoteSimulator()
  cleanups.push(() => sim.close())
  const cohorts = new CohortStore(sim)
  const harness = lazyHarness(cleanups)
  const context = { sim, cohorts, dist, others, tmp, runs, quick, sizes, members, kinds, harness, root: ROOT }

  const results = {}
  if (sections.has('polling')) {
    progress('polling')
    results.polling = await benchPolling(context)
  }
  if (sections.has('startup')) {
    progress('start-up')
    results.startup = await benchStartup(context)
  }
  if (sections.has('download')) {
    progress('download')
    results.download = await benchDownload({ ...context, sizeMB: downloadSizeMB })
  }
  if (sections.has('compare')) {
    progress('compare')
    results.compare = await benchCompare(context)
  }
  if (sections.has('several')) {
    progress('several')
    results.several = await benchSeveral(context)
  }
  if (sections.has('memory') || sections.has('upload')) {
    progress('memory and artifact upload')
    results.artifacts = await benchArtifacts({ ...context, memory: sections.has('memory') })
  }
  const elapsedMs = performance.now() - started
  await cleanup()
  const report = await format(render(machine, results, elapsedMs))
  mkdirSync(resolve(output, '..'), { recursive: true })
  writeFileSync(output, report)
  progress(`wrote ${relative(process.cwd(), output)} in ${(elapsedMs / 60_000).toFixed(1)} min`)
}

/** The report in the project's Prettier style (tables aligned), so `prettier --check .` passes. */
async function format(markdown) {
  const prettier = await import('prettier')
  const options = (await prettier.resolveConfig(output)) ?? {}
  return prettier.format(markdown, { ...options, filepath: output })
}

function render(machine, results, elapsedMs) {
  const targets = [
    results.artifacts?.memoryTargets,
    results.download?.target,
    results.artifacts?.uploadTarget,
    results.polling?.targets,
    results.startup?.target,
    results.compare?.targets,
    results.several?.targets
  ]
    .flat()
    .filter(Boolean)
  const command = [
    quick ? 'BENCH_QUICK=1' : '',
    env.BENCH_RUNS ? `BENCH_RUNS=${runs}` : '',
    env.BENCH_SECTIONS ? `BENCH_SECTIONS=${env.BENCH_SECTIONS}` : '',
    env.BENCH_SIZES ? `BENCH_SIZES=${env.BENCH_SIZES}` : '',
    env.BENCH_KINDS ? `BENCH_KINDS=${env.BENCH_KINDS}` : '',
    env.BENCH_DIST ? `BENCH_DIST=${env.BENCH_DIST}` : '',
    env.BENCH_VS ? `BENCH_VS=${env.BENCH_VS}` : '',
    env.BENCH_MEMBERS ? `BENCH_MEMBERS=${env.BENCH_MEMBERS}` : '',
    env.BENCH_SRC ? `BENCH_SRC=${env.BENCH_SRC}` : '',
    'npm run bench'
  ]
    .filter(Boolean)
    .join(' ')
  const parts = [
    '# Benchmark results',
    '',
    '<!-- Generated by `npm run bench` (bench/run.mjs); the notes at the end come from bench/notes.md. -->',
    '',
    `Constant memory, near-curl download speed, few polls, fast start — each measured against a baseline ` +
      `in the same invocation, medians of ${runs} runs.`,
    '',
    `- **Reproduce:** \`npm run bundle && ${command}\` (${(elapsedMs / 60_000).toFixed(1)} min here; needs curl ` +
      'and GNU time; loopback only; `BENCH_QUICK=1` for a smoke run).',
    `- **Machine:** ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB.toFixed(0)} GiB RAM, ${machine.os}; ` +
      `load average at start ${machine.load.map(l => l.toFixed(2)).join(' / ')}.`,
    `- **Software:** Node ${machine.node}; ${machine.curl}.`,
    `- **Measured:** ${machine.date.slice(0, 16).replace('T', ' ')} UTC, commit ${machine.commit ?? '?'}` +
      `${machine.dirty ? ' with uncommitted changes in src/ or dist/' : ''}; dist/index.js ` +
      `${machine.distBytes ? `${(machine.distBytes / 2 ** 20).toFixed(2)} MiB` : 'missing'}` +
      `${env.BENCH_DIST ? ` (BENCH_DIST=${env.BENCH_DIST})` : ''}.`,
    '',
    '## Targets',
    '',
    table(
      ['target', 'measured', 'result'],
      targets.map(t => [
        t.name,
        typeof t.value === 'number' ? fixed(t.value, 2) : t.value,
        t.pass ? 'pass' : '**miss**'
      ]),
      ['l', 'l', 'l']
    )
  ]
  const section = (title, result) => {
    if (result) parts.push('', `## ${title}`, '', result.markdown)
  }
  section('1. Peak memory against file size', results.artifacts?.memory)
  section('2. Download throughput against curl', results.download)
  section('3. Artifact upload against a bare uploadArtifact()', results.artifacts?.upload)
  section('4. Polling cost against a fixed 5-second poller', results.polling)
  section('5. Start-up against `node -e ""`', results.startup)
  section('6. What changed since the last export: memory and speed', results.compare)
  section('7. Several cohorts in one step, within the limits', results.several)
  let notes = ''
  try {
    notes = readFileSync(join(ROOT, 'bench', 'notes.md'), 'utf8').trim()
  } catch {
    // no notes yet
  }
  if (notes) parts.push('', notes)
  return `${parts.join('\n')}\n`
}

main()
  .then(() => clearTimeout(watchdog))
  .catch(async error => {
    progress(`failed: ${error.stack ?? error}`)
    await cleanup()
    process.exitCode = 1
  })
