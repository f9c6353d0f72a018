// 5. Start-up: from spawning `node dist/index.js` to the first request the simulator receives, against the floor
// `node -e ""` (spawn to exit) and a bare Node.js script that sends one request (spawn to that request).
//
// Measured three ways: with `upload-artifact: false`; with the default `upload-artifact: true` on a first attempt;
// and on a re-run (GITHUB_RUN_ATTEMPT=2), where the action first loads the artifact client and asks the artifact
// service (the harness's results-service stub) whether the artifact name is free, before it spends a cohort request. Spawn instants are Date.now() in the bench, request
// instants Date.now() in the simulator's and the stub's processes: the same clock, millisecond resolution. Runs are
// interleaved; medians.
import { statSync } from 'node:fs'
import { join } from 'node:path'
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

export async function benchStartup({ sim, dist, tmp, runs, cohorts, harness }) {
  const h = await harness()
  const cohort = await cohorts.get(0.001)
  const id = cohort.ids['inline-plain']
  const samples = {
    floor: [],
    oneRequest: [],
    action: [],
    actionExit: [],
    upload: [],
    rerun: [],
    rerunService: []
  }
  const rounds = Math.max(runs * 2, 3)
  for (let run = 0; run < rounds; run++) {
    const floor = await runCommand(process.execPath, ['-e', ''])
    samples.floor.push(floor.wallMs)

    let since = await sim.requestCount()
    const spawnedAtWall = Date.now()
    await runCommand(process.execPath, ['-e', ONE_REQUEST, `${sim.apiUrl}/api/5/cohorts/request/${id}`])
    samples.oneRequest.push(await firstRequestAfter(sim, since, spawnedAtWall))

    for (const [kind, upload, attempt] of [
      ['action', false, '1'],
      ['upload', true, '1'],
      ['rerun', true, '2']
    ]) {
      since = await sim.requestCount()
      const calls = h.results.calls.length
      const root = join(tmp, `startup-${run}-${kind}`)
      const action = await spawnAction({
        dist,
        root,
        env: upload ? { ...artifactEnv(h), GITHUB_RUN_ATTEMPT: attempt } : {},
        inputs: validInputs(sim, id, {
          'upload-artifact': String(upload),
          'artifact-name': `startup-${run}-${kind}`,
          path: join(root, 'cohort.csv')
        })
      })
      if (action.code !== 0) throw new Error(`the action failed:\n${action.stdout.slice(-2000)}`)
      samples[kind].push(await firstRequestAfter(sim, since, action.spawnedAtWall))
      if (kind === 'action') samples.actionExit.push(action.clock.exitAt - action.spawnedAt)
      const call = h.results.calls[calls]
      if (kind === 'rerun' && call) samples.rerunService.push(call.at - action.spawnedAtWall)
    }
  }
  progress(`start-up: ${rounds} rounds`)
  const floor = median(samples.floor)
  const action = median(samples.action)
  const upload = median(samples.upload)
  const above = action - floor
  const aboveDefault = upload - floor
  const distBytes = statSync(dist).size
  const list = values => values.map(v => v.toFixed(0)).join(', ')
  const row = (what, to, values, bold = false) => {
    const ms = median(values)
    const b = text => (bold ? `**${text}**` : text)
    return [what, to, fixed(ms), b(fixed(ms - floor)), list(values)]
  }
  const markdown = [
    `dist/index.js: ${(distBytes / 2 ** 20).toFixed(2)} MiB (${distBytes.toLocaleString('en-US')} bytes; the ` +
      'artifact client is a separate chunk loaded on demand). ' +
      `${rounds} interleaved rounds; medians.`,
    '',
    table(
      ['process', 'measured from spawn to', 'median ms', 'above the floor', 'runs (ms)'],
      [
        ['`node -e ""` (floor)', 'exit', fixed(floor), '—', list(samples.floor)],
        row('`node -e "http.get(…)"`', 'its request reaches the simulator', samples.oneRequest),
        row(
          '**action**, `upload-artifact: false`',
          'its first request reaches the simulator',
          samples.action,
          true
        ),
        row(
          '**action**, `upload-artifact: true` (default), first attempt',
          'its first request reaches the simulator',
          samples.upload,
          true
        ),
        row('action, default, re-run (attempt 2)', 'its first request reaches the simulator', samples.rerun),
        row('… same run', 'its first call reaches the artifact service', samples.rerunService),
        row('action, `upload-artifact: false`', 'exit (a 1 KB cohort)', samples.actionExit)
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
