// 6. What changed since the last export: the comparison's memory and speed.
//
// Memory: the peak RSS of the action (dist/index.js, `/usr/bin/time -f %M`) exporting a cohort with
// `compare-with: <baseline file>` against the same export without comparison, interleaved, at each size. Speed: the
// action's comparison step (its 'Compare with the last export' log group) against the Unix delta pipeline on the same
// two files — `LC_ALL=C sort` of each, then `comm -3` of the results — interleaved; and the action's whole run with
// and without comparison at the largest size. The baseline is the simulator's file of 1 % more members (the same rows,
// 1 % more): tonight's export has 1 % exiting. Both measured twice: with the files in ID order (the simulator's
// default: the action's one-pass merge, and sort's best case) and with each file shuffled (its own order: the hash
// join, and sort's usual case), since Amplitude does not say how its files are ordered. Other bundles (BENCH_VS) join
// the speed rounds at the largest size, in turn with the action and sort + comm, each with its step time and peak RSS.
import { rm } from 'node:fs/promises'
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
  const root = join(
    tmp,
    `${cohortId}-${compareWith ? 'cmp' : 'plain'}-${Math.random().toString(36).slice(2, 8)}`
  )
  const run = await spawnAction({
    dist,
    root,
    peakRss: true,
    timeoutMs: 600_000,
    inputs: validInputs(sim, cohortId, {
      'upload-artifact': 'false',
      ...(compareWith ? { 'compare-with': compareWith } : {})
    })
  })
  check({ ...run, code: run.timedOut ? null : run.code }, `the action (${cohortId})`)
  // Its membership and change files (123 MB at 2 M members): dozens of runs would fill gigabytes.
  await rm(root, { recursive: true, force: true })
  return {
    peakKiB: run.peakKiB,
    ms: run.clock.exitAt - run.spawnedAt,
    compareMs: run.clock.duration(COMPARE_STEP)
  }
}

const ORDERS = [
  { key: 'sorted', label: 'in ID order', shuffle: () => undefined },
  { key: 'shuffled', label: 'shuffled', shuffle: seed => seed }
]

export async function benchCompare({ sim, dist, others = [], tmp, runs, quick, members: only }) {
  const sizes = only ?? (quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000, 2_000_000])
  const memoryRows = []
  let worstExtraMiB = 0
  let largest
  for (const members of sizes) {
    const id = `cmp-${members}`
    const cohorts = {}
    for (const order of ORDERS) {
      const tonight = await sim.addCohort(`${id}-${order.key}`, {
        members,
        props: true,
        polls: 0,
        shuffle: order.shuffle(1)
      })
      const baseline = await sim.addCohort(`${id}-${order.key}-baseline`, {
        members: Math.round(members * 1.01),
        props: true,
        polls: 0,
        shuffle: order.shuffle(2)
      })
      cohorts[order.key] = { id: `${id}-${order.key}`, tonight, baseline }
    }
    progress(`compare: ${members} members (${(cohorts.sorted.tonight.bytes / 1e6).toFixed(0)} MB)`)
    const plain = []
    const compared = { sorted: [], shuffled: [] }
    for (let i = 0; i < runs; i++) {
      plain.push(await runExport(sim, dist, tmp, cohorts.sorted.id, undefined))
      for (const order of ORDERS) {
        const { id: cohortId, baseline } = cohorts[order.key]
        compared[order.key].push(await runExport(sim, dist, tmp, cohortId, baseline.file))
      }
    }
    const plainMiB = kibToMiB(median(plain.map(r => r.peakKiB)))
    const row = [
      members.toLocaleString('en-US'),
      fixed(cohorts.sorted.tonight.bytes / 1e6, 0),
      fixed(plainMiB, 0)
    ]
    for (const order of ORDERS) {
      const comparedMiB = kibToMiB(median(compared[order.key].map(r => r.peakKiB)))
      worstExtraMiB = Math.max(worstExtraMiB, comparedMiB - plainMiB)
      row.push(fixed(comparedMiB - plainMiB, 0), fixed(median(compared[order.key].map(r => r.compareMs)), 0))
    }
    memoryRows.push(row)
    largest = { members, cohorts, plain, compared }
  }
  progress(`compare: speed against sort | comm at ${largest.members} members`)
  const speed = {}
  const bundles = [{ name: 'this', dist }, ...others]
  for (const order of ORDERS) {
    speed[order.key] = { ours: [], unix: [], runs: {} }
    for (const { name } of bundles) speed[order.key].runs[name] = []
  }
  for (let i = 0; i < runs; i++) {
    for (const order of ORDERS) {
      const { id: cohortId, tonight, baseline } = largest.cohorts[order.key]
      // Each round starts with another bundle, so none always runs first.
      for (const { name, dist: bundle } of bundles.map((_, b) => bundles[(b + i) % bundles.length])) {
        const run = await runExport(sim, bundle, tmp, cohortId, baseline.file)
        speed[order.key].runs[name].push(run)
        if (name === 'this') speed[order.key].ours.push(run.compareMs)
      }
      speed[order.key].unix.push(await timeUnix(tmp, tonight.file, baseline.file))
    }
  }
  const ratios = {}
  for (const order of ORDERS)
    ratios[order.key] = median(speed[order.key].ours) / median(speed[order.key].unix)
  const withMs = median(largest.compared.sorted.map(r => r.ms))
  const withShuffledMs = median(largest.compared.shuffled.map(r => r.ms))
  const withoutMs = median(largest.plain.map(r => r.ms))
  const speedRows = ORDERS.map(order => [
    order.label,
    fixed(median(speed[order.key].ours), 0),
    fixed(median(speed[order.key].unix), 0),
    fixed(ratios[order.key], 2)
  ])
  const plainMiB = kibToMiB(median(largest.plain.map(r => r.peakKiB)))
  const variantRows = ORDERS.flatMap(order => {
    const unix = median(speed[order.key].unix)
    const ours = median(speed[order.key].ours)
    return bundles.map(({ name }) => {
      const measured = speed[order.key].runs[name]
      const ms = median(measured.map(r => r.compareMs))
      const mib = kibToMiB(median(measured.map(r => r.peakKiB)))
      return [
        order.label,
        name === 'this' ? 'this' : `\`${name}\``,
        fixed(ms, 0),
        fixed(ms / unix, 2),
        fixed(ms / ours, 2),
        fixed(mib, 0),
        fixed(mib - plainMiB, 0),
        measured.map(r => fixed(r.compareMs, 0)).join(', ')
      ]
    })
  })
  const variants =
    others.length === 0
      ? []
      : [
          '',
          table(
            [
              `files (${largest.members.toLocaleString('en-US')} members)`,
              'bundle',
              'step (ms)',
              '/ sort + comm',
              '/ this',
              'peak (MiB)',
              'extra (MiB)',
              'step, runs (ms)'
            ],
            variantRows,
            ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r']
          ),
          '',
          `Other bundles in the same rounds (BENCH_VS); peak RSS of the whole export, extra above the export ` +
            `without comparison (${fixed(plainMiB, 0)} MiB, the memory rounds above).`
        ]
  const markdown = [
    table(
      [
        'members',
        'file (MB)',
        'peak without (MiB)',
        'extra, in ID order (MiB)',
        'step, in ID order (ms)',
        'extra, shuffled (MiB)',
        'step, shuffled (ms)'
      ],
      memoryRows,
      ['r', 'r', 'r', 'r', 'r', 'r', 'r']
    ),
    '',
    table(
      [
        `files (${largest.members.toLocaleString('en-US')} members)`,
        'comparison step (ms)',
        '`sort` + `comm` (ms)',
        'ratio'
      ],
      speedRows,
      ['l', 'r', 'r', 'r']
    ),
    '',
    `The whole export of ${largest.members.toLocaleString('en-US')} members took ${fixed(withoutMs, 0)} ms without ` +
      `the comparison, ${fixed(withMs, 0)} ms with it in ID order (${fixed(withMs / withoutMs, 2)}×) and ` +
      `${fixed(withShuffledMs, 0)} ms shuffled (${fixed(withShuffledMs / withoutMs, 2)}×). Medians of ${runs} ` +
      'interleaved runs.',
    ...variants
  ].join('\n')
  return {
    markdown,
    targets: [
      {
        name: 'comparison: peak RSS above the same export without it, 10 k–2 M members, both orders (MiB, ≤ 64)',
        value: worstExtraMiB,
        pass: worstExtraMiB <= 64
      },
      ...ORDERS.map(order => ({
        name: `comparison time / (sort + comm) on the same files, ${order.label} (≤ 1.0)`,
        value: ratios[order.key],
        pass: ratios[order.key] <= 1
      }))
    ]
  }
}
