// 6. What changed since the last export: the comparison's memory and speed.
//
// Memory: the peak RSS of the action (dist/index.js, `/usr/bin/time -f %M`) exporting a cohort with
// `compare-with: <baseline file>` against the same export without comparison, interleaved, at each size. Speed: the
// action's comparison step (its 'Compare with the last export' log group) against the Unix delta pipeline on the same
// two files — `LC_ALL=C sort` of each, then `comm -3` of the results — interleaved; and the action's whole run with
// and without comparison at the largest size. The baseline is the simulator's file of 1 % more members (the same rows,
// 1 % more at the end): tonight's export has 1 % exiting.
import { join } from 'node:path'
import { validInputs } from '../test/support/action.mjs'
import { spawnAction } from './lib/action.mjs'
import { check, fixed, kibToMiB, median, progress, runCommand, table } from './lib/util.mjs'

const COMPARE_STEP = 'Compare with the last export'

async function timeUnix(tmp, current, baseline) {
  const script = `LC_ALL=C sort "$1" > "$3.b"; LC_ALL=C sort "$2" > "$3.c"; LC_ALL=C comm -3 "$3.b" "$3.c" > "$3.delta"`
  const started = performance.now()
  check(
    await runCommand('bash', ['-c', script, 'unix', baseline, current, join(tmp, 'unix')], {
      timeoutMs: 300_000
    }),
    'sort | comm'
  )
  return performance.now() - started
}

async function runExport(sim, dist, tmp, cohortId, compareWith) {
  const run = await spawnAction({
    dist,
    root: join(tmp, `${cohortId}-${compareWith ? 'cmp' : 'plain'}-${Math.random().toString(36).slice(2, 8)}`),
    peakRss: true,
    timeoutMs: 600_000,
    inputs: validInputs(sim, cohortId, {
      'upload-artifact': 'false',
      ...(compareWith ? { 'compare-with': compareWith } : {})
    })
  })
  check({ ...run, code: run.timedOut ? null : run.code }, `the action (${cohortId})`)
  return {
    peakKiB: run.peakKiB,
    ms: run.clock.exitAt - run.spawnedAt,
    compareMs: run.clock.duration(COMPARE_STEP)
  }
}

export async function benchCompare({ sim, dist, tmp, runs, quick }) {
  const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000, 2_000_000]
  const memoryRows = []
  let worstExtraMiB = 0
  let largest
  for (const members of sizes) {
    const id = `cmp-${members}`
    const tonight = await sim.addCohort(id, { members, props: true, polls: 0 })
    const baseline = await sim.addCohort(`${id}-baseline`, {
      members: Math.round(members * 1.01),
      props: true,
      polls: 0
    })
    progress(`compare: ${members} members (${(tonight.bytes / 1e6).toFixed(0)} MB)`)
    const plain = []
    const compared = []
    for (let i = 0; i < runs; i++) {
      plain.push(await runExport(sim, dist, tmp, id, undefined))
      compared.push(await runExport(sim, dist, tmp, id, baseline.file))
    }
    const plainMiB = kibToMiB(median(plain.map(r => r.peakKiB)))
    const comparedMiB = kibToMiB(median(compared.map(r => r.peakKiB)))
    worstExtraMiB = Math.max(worstExtraMiB, comparedMiB - plainMiB)
    memoryRows.push([
      members.toLocaleString('en-US'),
      fixed(tonight.bytes / 1e6, 0),
      fixed(plainMiB, 0),
      fixed(comparedMiB, 0),
      fixed(comparedMiB - plainMiB, 0),
      fixed(median(compared.map(r => r.compareMs)), 0)
    ])
    largest = { id, members, tonight, baseline, plain, compared }
  }
  progress(`compare: speed against sort | comm at ${largest.members} members`)
  const ours = []
  const unix = []
  for (let i = 0; i < runs; i++) {
    ours.push((await runExport(sim, dist, tmp, largest.id, largest.baseline.file)).compareMs)
    unix.push(await timeUnix(tmp, largest.tonight.file, largest.baseline.file))
  }
  const ratio = median(ours) / median(unix)
  const withMs = median(largest.compared.map(r => r.ms))
  const withoutMs = median(largest.plain.map(r => r.ms))
  const markdown = [
    table(
      [
        'members',
        'file (MB)',
        'peak without (MiB)',
        'peak with (MiB)',
        'extra (MiB)',
        'comparison step (ms)'
      ],
      memoryRows,
      ['r', 'r', 'r', 'r', 'r', 'r']
    ),
    '',
    `At ${largest.members.toLocaleString('en-US')} members: the action's comparison step took ${fixed(median(ours), 0)} ms, ` +
      `\`LC_ALL=C sort\` of both files and \`comm -3\` ${fixed(median(unix), 0)} ms (ratio ${fixed(ratio, 2)}); ` +
      `the whole export took ${fixed(withMs, 0)} ms with the comparison and ${fixed(withoutMs, 0)} ms without ` +
      `(${fixed(withMs / withoutMs, 2)}×). Medians of ${runs} interleaved runs.`
  ].join('\n')
  return {
    markdown,
    targets: [
      {
        name: 'comparison: peak RSS above the same export without it, 10 k–2 M members (MiB, ≤ 64)',
        value: worstExtraMiB,
        pass: worstExtraMiB <= 64
      },
      { name: 'comparison time / (sort + comm) on the same files (≤ 1.0)', value: ratio, pass: ratio <= 1 }
    ]
  }
}
