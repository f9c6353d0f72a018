// 5. Start-up: from spawning `node dist/index.js` to the first request the simulator receives, against the floor
// `node -e ""` (spawn to exit) and a bare Node.js script that sends one request (spawn to that request).
//
// Measured three ways: with `upload-artifact: false`; with the default `upload-artifact: true` on a first attempt;
// and on a re-run (GITHUB_RUN_ATTEMPT=2), where the action first loads the artifact client and asks the artifact
// service (the harness's results-service stub) whether the artifact name is free, before it spends a cohort request. Spawn instants are Date.now() in the bench, request
// instants Date.now() in the simulator's and the stub's processes: the same clock, millisecond resolution. Runs are
// interleaved; medians. Other bundles (BENCH_VS) are started in the same rounds, in turn, for a comparison that
// shares the machine's state.
import { readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { validInputs } from '../test/support/action.mjs'
import { spawnAction } from './lib/action.mjs'
import { artifactEnv } from './lib/harness.mjs'
import { fixed, median, progress, runCommand, table } from './lib/util.mjs'

const ONE_REQUEST = `require('node:http').get(process.argv[1], r => r.resume()).on('error', () => {})`

async function firstRequestAfter(sim, since, spawnedAtWall) {
  const seen = await sim.requests(since)
  if (seen.length === 0) throw new Error('the simulator saw no request')
  return seen[0].at - spawnedAtWall
}

/** The bytes of a bundle's entry and of its whole folder (what `dist/` ships). */
function bundleSize(dist) {
  const dir = dirname(dist)
  const files = readdirSync(dir).map(name => statSync(join(dir, name)).size)
  return { entry: statSync(dist).size, folder: files.reduce((a, b) => a + b, 0), files: files.length }
}

export async function benchStartup({ sim, dist, others = [], tmp, runs, cohorts, harness }) {
  const h = await harness()
  const cohort = await cohorts.get(0.001)
  const id = cohort.ids['inline-plain']
  const bundles = [{ name: 'this', dist }, ...others]
  const samples = { floor: [], oneRequest: [] }
  for (const bundle of bundles) {
    samples[bundle.name] = { action: [], actionExit: [], upload: [], rerun: [], rerunService: [] }
  }
  const rounds = Math.max(runs * 2, 3)
  for (let run = 0; run < rounds; run++) {
    const floor = await runCommand(process.execPath, ['-e', ''])
    samples.floor.push(floor.wallMs)

    let since = await sim.requestCount()
    const spawnedAtWall = Date.now()
    await runCommand(process.execPath, ['-e', ONE_REQUEST, `${sim.apiUrl}/api/5/cohorts/request/${id}`])
    samples.oneRequest.push(await firstRequestAfter(sim, since, spawnedAtWall))

    // Each round starts with another bundle, so none always runs first.
    const turn = bundles.map((_, i) => bundles[(i + run) % bundles.length])
    for (const bundle of turn) {
      const mine = samples[bundle.name]
      for (const [kind, upload, attempt] of [
        ['action', false, '1'],
        ['upload', true, '1'],
        ['rerun', true, '2']
      ]) {
        since = await sim.requestCount()
        const calls = h.results.calls.length
        const label = `startup-${run}-${kind}-${bundles.indexOf(bundle)}`
        const root = join(tmp, label)
        const action = await spawnAction({
          dist: bundle.dist,
          root,
          env: upload ? { ...artifactEnv(h), GITHUB_RUN_ATTEMPT: attempt } : {},
          inputs: validInputs(sim, id, {
            'upload-artifact': String(upload),
            'artifact-name': label,
            path: join(root, 'cohort.csv')
          })
        })
        if (action.code !== 0) throw new Error(`the action failed:\n${action.stdout.slice(-2000)}`)
        mine[kind].push(await firstRequestAfter(sim, since, action.spawnedAtWall))
        if (kind === 'action') mine.actionExit.push(action.clock.exitAt - action.spawnedAt)
        const call = h.results.calls[calls]
        if (kind === 'rerun' && call) mine.rerunService.push(call.at - action.spawnedAtWall)
      }
    }
  }
  progress(`start-up: ${rounds} rounds`)
  const floor = median(samples.floor)
  const action = median(samples.this.action)
  const upload = median(samples.this.upload)
  const above = action - floor
  const aboveDefault = upload - floor
  const { entry: distBytes } = bundleSize(dist)
  const list = values => values.map(v => v.toFixed(0)).join(', ')
  const row = (what, to, values, bold = false) => {
    const ms = median(values)
    const b = text => (bold ? `**${text}**` : text)
    return [what, to, fixed(ms), b(fixed(ms - floor)), list(values)]
  }
  const mib = bytes => `${(bytes / 2 ** 20).toFixed(2)} MiB`
  const sizes = bundles.map(({ name, dist: entry }) => {
    const size = bundleSize(entry)
    return `${name === 'this' ? 'dist' : `\`${name}\``}: index.js ${mib(size.entry)}, folder ${mib(size.folder)} in ${size.files} files`
  })
  const otherRows = others.flatMap(({ name }) => [
    row(
      `\`${name}\`, \`upload-artifact: false\``,
      'its first request reaches the simulator',
      samples[name].action
    ),
    row(
      `\`${name}\`, default, first attempt`,
      'its first request reaches the simulator',
      samples[name].upload
    ),
    row(`\`${name}\`, default, re-run`, 'its first request reaches the simulator', samples[name].rerun)
  ])
  const markdown = [
    `dist/index.js: ${mib(distBytes)} (${distBytes.toLocaleString('en-US')} bytes; the ` +
      'artifact client is a separate chunk loaded on demand). ' +
      `${rounds} interleaved rounds; medians.`,
    ...(others.length > 0 ? ['', `Bundles started in turn in each round: ${sizes.join('; ')}.`] : []),
    '',
    table(
      ['process', 'measured from spawn to', 'median ms', 'above the floor', 'runs (ms)'],
      [
        ['`node -e ""` (floor)', 'exit', fixed(floor), '—', list(samples.floor)],
        row('`node -e "http.get(…)"`', 'its request reaches the simulator', samples.oneRequest),
        row(
          '**action**, `upload-artifact: false`',
          'its first request reaches the simulator',
          samples.this.action,
          true
        ),
        row(
          '**action**, `upload-artifact: true` (default), first attempt',
          'its first request reaches the simulator',
          samples.this.upload,
          true
        ),
        row(
          'action, default, re-run (attempt 2)',
          'its first request reaches the simulator',
          samples.this.rerun
        ),
        row('… same run', 'its first call reaches the artifact service', samples.this.rerunService),
        row('action, `upload-artifact: false`', 'exit (a 1 KB cohort)', samples.this.actionExit),
        ...otherRows
      ],
      ['l', 'l']
    )
  ].join('\n')
  return {
    markdown,
    floor,
    action,
    upload,
    distBytes,
    target: {
      name: 'Start-up < 300 ms above `node -e ""` (no upload / default, first attempt)',
      value: `${fixed(above)} / ${fixed(aboveDefault)} ms`,
      pass: above < 300 && aboveDefault < 300
    }
  }
}
