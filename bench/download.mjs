// 2. Download throughput: the action's download step against curl (and a bare Node.js stream) fetching the same
// simulator URL, the same file, interleaved in the same invocation.
//
// The action's download time is its "Download the membership file" step, timed from the `::group::`/`::endgroup::`
// markers it writes to its log (see StepClock): asking the file link, following the redirect, streaming to disk while
// gunzipping, hashing and counting rows, then renaming into place. Process start-up, the export request and the
// polling are outside it. curl's time is its own `%{time_total}` (connection, request, redirect, body written),
// which likewise leaves out its process start-up. The simulator runs in a process of its own, so neither client's
// server side shares an event loop with the bench driver.
import { rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validInputs } from '../test/support/action.mjs'
import { spawnAction, STEPS } from './lib/action.mjs'
import { check, fixed, MB, median, progress, runCommand, table } from './lib/util.mjs'

const NODE_GET = fileURLToPath(new URL('./lib/node-get.mjs', import.meta.url))

/** Asks the simulator for an export of `cohortId`, waits for it, and returns its file link (the API URL). */
async function fileUrl(sim, cohortId) {
  const headers = { authorization: `Basic ${sim.basicAuth}` }
  const request = await fetch(`${sim.apiUrl}/api/5/cohorts/request/${cohortId}`, { headers })
  const { request_id: requestId } = await request.json()
  const status = await fetch(`${sim.apiUrl}/api/5/cohorts/request-status/${requestId}`, { headers })
  await status.arrayBuffer()
  return `${sim.apiUrl}/api/5/cohorts/request/${requestId}/file`
}

async function timeCurl(sim, cohortId, file, { redirect, compressed }) {
  const url = await fileUrl(sim, cohortId)
  const args = ['-sS', '--fail', '--max-time', '120', '-u', `${sim.apiKey}:${sim.secretKey}`, '-o', file]
  if (redirect) args.push('-L')
  if (compressed) args.push('--compressed')
  args.push('-w', '%{time_total} %{size_download}', url)
  const result = check(await runCommand('curl', args), 'curl')
  const [seconds, size] = result.stdout.trim().split(' ').map(Number)
  return { ms: seconds * 1000, wireBytes: size }
}

/** `file` `-` reads and drops the body: the floor without disk. */
async function timeNode(sim, cohortId, file) {
  const url = await fileUrl(sim, cohortId)
  const result = check(
    await runCommand(process.execPath, [NODE_GET, url, file, `Basic ${sim.basicAuth}`]),
    'node-get'
  )
  return { ms: JSON.parse(result.stdout).ms }
}

async function timeAction(sim, dist, root, cohortId, file) {
  const run = await spawnAction({
    dist,
    root,
    peakRss: true,
    inputs: validInputs(sim, cohortId, { 'upload-artifact': 'false', path: file })
  })
  check({ ...run, code: run.timedOut ? null : run.code }, `the action (${cohortId})`)
  const saved = /Saved .*$/m.exec(run.stdout)?.[0] ?? ''
  return { ms: run.clock.duration(STEPS.download), peakKiB: run.peakKiB, saved }
}

/**
 * @param {{ sim: any, cohorts: import('./lib/cohorts.mjs').CohortStore, dist: string, tmp: string, runs: number,
 *   sizeMB: number }} context
 */
export async function benchDownload({ sim, cohorts, dist, tmp, runs, sizeMB }) {
  const cohort = await cohorts.get(sizeMB)
  const out = join(tmp, 'download.csv')
  const cases = [
    {
      label: 'plain, inline',
      id: cohort.ids['inline-plain'],
      wire: cohort.bytes,
      references: {
        curl: () => timeCurl(sim, cohort.ids['inline-plain'], out, {}),
        'node: http.get → file': () => timeNode(sim, cohort.ids['inline-plain'], out),
        'node: http.get, no disk': () => timeNode(sim, cohort.ids['inline-plain'], '-')
      },
      baseline: 'curl'
    },
    {
      label: 'plain, redirect',
      id: cohort.ids['redirect-plain'],
      wire: cohort.bytes,
      references: { 'curl -L': () => timeCurl(sim, cohort.ids['redirect-plain'], out, { redirect: true }) },
      baseline: 'curl -L'
    },
    {
      label: 'gzip, inline',
      id: cohort.ids['inline-gzip'],
      wire: cohort.gzipBytes,
      references: {
        'curl --compressed': () => timeCurl(sim, cohort.ids['inline-gzip'], out, { compressed: true }),
        'curl (raw gzip)': () => timeCurl(sim, cohort.ids['inline-gzip'], out, {})
      },
      baseline: 'curl --compressed'
    }
  ]
  const samples = cases.map(c => ({
    action: [],
    rss: [],
    refs: Object.fromEntries(Object.keys(c.references).map(k => [k, []]))
  }))
  for (let run = 0; run < runs; run++) {
    for (const [i, c] of cases.entries()) {
      const action = await timeAction(sim, dist, join(tmp, `dl-${run}-${i}`), c.id, out)
      const written = statSync(out).size
      if (written !== cohort.bytes)
        throw new Error(`the action wrote ${written} bytes, expected ${cohort.bytes}`)
      rmSync(join(tmp, `dl-${run}-${i}`), { recursive: true, force: true })
      samples[i].action.push(action.ms)
      samples[i].rss.push(action.peakKiB)
      for (const [name, measure] of Object.entries(c.references)) {
        const ref = await measure()
        samples[i].refs[name].push(ref.ms)
      }
      rmSync(out, { force: true })
    }
    progress(`download: round ${run + 1}/${runs}`)
  }

  const rows = []
  const results = []
  for (const [i, c] of cases.entries()) {
    const actionMs = median(samples[i].action)
    const baseMs = median(samples[i].refs[c.baseline])
    const ratio = baseMs / actionMs
    results.push({ label: c.label, actionMs, baseMs, ratio, wire: c.wire, samples: samples[i] })
    const rate = ms => (c.wire / MB / (ms / 1000)).toFixed(0)
    rows.push([
      c.label,
      '**action**',
      fixed(actionMs),
      rate(actionMs),
      `**${ratio.toFixed(2)}×** ${c.baseline}`,
      samples[i].action.map(v => v.toFixed(0)).join(', ')
    ])
    for (const [name, values] of Object.entries(samples[i].refs)) {
      const ms = median(values)
      rows.push([
        c.label,
        name,
        fixed(ms),
        rate(ms),
        name === c.baseline ? 'baseline' : `${(baseMs / ms).toFixed(2)}× ${c.baseline}`,
        values.map(v => v.toFixed(0)).join(', ')
      ])
    }
  }
  const plain = results[0]
  const markdown = [
    `File: ${(cohort.bytes / MB).toFixed(1)} MB of CSV with properties (${cohort.members.toLocaleString('en-US')} members; ` +
      `${(cohort.gzipBytes / MB).toFixed(1)} MB gzip). Throughput = bytes on the wire / time. ${runs} interleaved rounds; ` +
      'medians.',
    '',
    table(['file', 'client', 'median ms', 'MB/s (wire)', 'throughput vs baseline', 'runs (ms)'], rows, [
      'l',
      'l',
      'r',
      'r',
      'l',
      'l'
    ])
  ].join('\n')
  return {
    markdown,
    results,
    target: { name: 'Download ≥ 0.8× curl (plain)', value: plain.ratio, pass: plain.ratio >= 0.8 }
  }
}
