// 7. Several cohorts in one step, against the simulator enforcing Amplitude's limits (429 beyond 4 step-1 requests a
// minute or 5 requests in flight): the wall time of one step exporting 8 cohorts whose jobs take 60 s each, against
// 8 single-cohort runs one after another (what a workflow does without it), with the 429s the simulator sent; and
// the peak RSS of one step exporting 8 cohorts of 100 MB against one export of 100 MB.
import { join } from 'node:path'
import { validInputs } from '../test/support/action.mjs'
import { spawnAction } from './lib/action.mjs'
import { check, fixed, kibToMiB, median, progress, table } from './lib/util.mjs'
import { startRemoteSimulator } from './lib/sim-remote.mjs'

async function runStep(sim, dist, tmp, cohortIds, extra = {}) {
  const run = await spawnAction({
    dist,
    root: join(tmp, `several-${Math.random().toString(36).slice(2, 10)}`),
    peakRss: true,
    timeoutMs: 20 * 60_000,
    inputs: validInputs(sim, cohortIds.join(','), {
      'upload-artifact': 'false',
      'poll-interval': '5s',
      ...extra
    })
  })
  check({ ...run, code: run.timedOut ? null : run.code }, `the action (${cohortIds.length} cohorts)`)
  return { ms: run.clock.exitAt - run.spawnedAt, peakKiB: run.peakKiB }
}

/** A simulator of its own (so no phase inherits another's rate-limit window) with the 8 cohorts. */
async function simulatorWith(ids, jobMs) {
  const sim = await startRemoteSimulator({ BENCH_SIM_LIMITS: '1' })
  for (const id of ids) await sim.addCohort(id, { members: 2000, props: true, jobMs, download: 'redirect' })
  return sim
}

export async function benchSeveral({ dist, tmp, runs, quick }) {
  const jobMs = quick ? 6000 : 60_000
  const ids = Array.from({ length: 8 }, (_, i) => `several-${i}`)
  progress(`several: 8 cohorts with ${jobMs / 1000} s jobs, one after another`)
  const alone = await simulatorWith(ids, jobMs)
  let sequentialMs = 0
  try {
    for (const id of ids) sequentialMs += (await runStep(alone, dist, tmp, [id])).ms
  } finally {
    await alone.close()
  }
  progress('several: the same 8 cohorts in one step')
  const limited = await simulatorWith(ids, jobMs)
  let together, after
  try {
    together = await runStep(limited, dist, tmp, ids)
    after = await limited.limitStats()
  } finally {
    await limited.close()
  }
  const throttled = after.throttled
  const ratio = together.ms / sequentialMs

  // Memory on a simulator without limits: the action keeps to 4 cohort requests a minute by itself, and the
  // simulator's own window would add a minute a round for nothing that memory depends on.
  progress('several: peak memory, 8 cohorts of 100 MB against one')
  const sim = await startRemoteSimulator()
  try {
    const size = quick ? 10 : 100
    const made = await sim.addCohort('several-big', {
      members: Math.round((size * 1e6) / 61.3),
      props: true,
      polls: 0
    })
    const bigIds = Array.from({ length: 8 }, (_, i) => `several-big-${i}`)
    for (const id of bigIds) await sim.alias(id, 'several-big', { download: 'redirect' })
    const one = []
    const eight = []
    for (let i = 0; i < runs; i++) {
      one.push((await runStep(sim, dist, tmp, [bigIds[0]], { 'poll-interval': '100ms' })).peakKiB)
      eight.push((await runStep(sim, dist, tmp, bigIds, { 'poll-interval': '100ms' })).peakKiB)
    }
    const memoryRatio = median(eight) / median(one)
    const markdown = [
      table(
        ['measure', 'value'],
        [
          ['8 single-cohort runs, one after another (s)', fixed(sequentialMs / 1000, 1)],
          ['one step with the 8 cohorts (s)', fixed(together.ms / 1000, 1)],
          ['ratio', fixed(ratio, 2)],
          ['429s the simulator sent during the step', String(throttled)],
          ['most Amplitude requests in flight at once', String(after.peakInFlight)],
          [`peak RSS, one ${size} MB export (MiB, median of ${runs})`, fixed(kibToMiB(median(one)), 0)],
          [
            `peak RSS, 8 × ${size} MB in one step (MiB, median of ${runs})`,
            fixed(kibToMiB(median(eight)), 0)
          ],
          ['memory ratio', fixed(memoryRatio, 2)]
        ],
        ['l', 'r']
      ),
      '',
      `Jobs of ${jobMs / 1000} s, the simulator enforcing the limits; the wall times are one run each (a sequential ` +
        `run of 8 takes over 8 minutes), the memory figures medians of ${runs} (on a simulator without limits). The ` +
        `${made.bytes} B cohort is served by redirect to the storage host, as Amplitude serves large files.`
    ].join('\n')
    return {
      markdown,
      targets: [
        {
          name: '8 cohorts with 60 s jobs in one step / 8 single runs in a row (≤ 0.35, zero 429s)',
          value: `${fixed(ratio, 2)}, ${throttled} × 429`,
          pass: ratio <= 0.35 && throttled === 0
        },
        {
          name: `peak RSS of 8 × ${size} MB cohorts / one ${size} MB export (≤ 1.5)`,
          value: memoryRatio,
          pass: memoryRatio <= 1.5
        }
      ]
    }
  } finally {
    await sim.close()
  }
}
