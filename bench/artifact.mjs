// 1. Peak memory against file size, and 3. the artifact upload against a bare uploadArtifact(): both from the same
// runs of the bundled action through the e2e harness (test/e2e/harness.mjs: Azurite and the results-service stub,
// the runner's environment), the simulator in its own process.
//
// Peak RSS is the action process's getrusage ru_maxrss (what `/usr/bin/time -f %M` reports), written at exit by a
// preloaded bench/lib/peak-rss.cjs, with the peak reached by the end of each step. The upload's time is the action's
// "Upload the artifact" step (log markers, see StepClock) against bench/lib/bare-upload.mjs timing its own
// uploadArtifact() call on the same file, with the same options and environment, right after.
import { rmSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ACTION_ENTRY, parseCommandFile, validInputs } from '../test/support/action.mjs'
import { artifactEnv } from './lib/harness.mjs'
import { spawnAction, StepClock, STEPS } from './lib/action.mjs'
import { VARIANTS } from './lib/cohorts.mjs'
import { check, fixed, kibToMiB, max, MB, median, min, progress, runCommand, table } from './lib/util.mjs'

const PEAK_RSS = new URL('./lib/peak-rss.mjs', import.meta.url).href
const BARE_UPLOAD = fileURLToPath(new URL('./lib/bare-upload.mjs', import.meta.url))
const COMPRESSION_LEVEL = 6 // the action's default
const RSS_LIMIT_MIB = 150
const GROWTH_LIMIT_MIB = 32

async function peakOf(command, args, env) {
  const result = await runCommand('/usr/bin/time', ['-f', '%M', command, ...args], { env })
  return Number(result.stderr.trim().split('\n').pop())
}

/** Removes an artifact's blob from Azurite (in-memory: 500 MB uploads would otherwise pile up). */
async function dropArtifact(h, name) {
  const record = h.results.artifacts.get(name)
  if (record) await h.results.blobClient(record).deleteIfExists()
}

/**
 * Runs the action once with the runner's environment for artifact uploads: through the harness's runAction() for
 * dist/index.js, or, for another bundle (BENCH_DIST), spawned here with the same variables pointing at the harness's
 * results service and Azurite. Resolves to { code, stdout, stderr, outputs, env }.
 */
async function runWithArtifacts(h, dist, root, inputs, env, onStdout) {
  if (dist === ACTION_ENTRY) return h.runAction(inputs, { env, timeoutMs: 300_000, onStdout })
  const run = await spawnAction({
    dist,
    root,
    inputs,
    timeoutMs: 300_000,
    onStdout,
    env: { ...env, ...artifactEnv(h) }
  })
  return { ...run, outputs: parseCommandFile(readFileSync(run.env.GITHUB_OUTPUT, 'utf8')) }
}

export async function benchArtifacts({ sim, cohorts, dist, tmp, runs, sizes, kinds, memory, harness }) {
  const h = await harness()
  const rssFile = join(tmp, 'peak-rss.json')
  const uploadSizes = sizes.filter(size => size <= 100)
  const configs = []
  for (const sizeMB of sizes) {
    for (const variant of VARIANTS) {
      if (kinds && !kinds.includes(variant.key)) continue
      if (!memory && (variant.key !== 'inline-plain' || !uploadSizes.includes(sizeMB))) continue
      configs.push({ sizeMB, variant })
    }
  }
  for (const sizeMB of new Set(configs.map(c => c.sizeMB))) await cohorts.get(sizeMB)

  // Baselines: an empty Node process, and the bundle loaded but stopped at input validation (no inputs).
  const bareEnv = { PATH: process.env.PATH }
  const baseline = { node: [], bundle: [] }
  for (let run = 0; run < runs; run++) {
    baseline.node.push(await peakOf(process.execPath, ['-e', ''], bareEnv))
    baseline.bundle.push(await peakOf(process.execPath, [dist], bareEnv))
  }

  const samples = new Map(
    configs.map(c => [c, { peak: [], download: [], downloadMs: [], uploadMs: [], bareMs: [], barePeak: [] }])
  )
  let serial = 0
  for (let run = 0; run < runs; run++) {
    for (const config of configs) {
      const cohort = await cohorts.get(config.sizeMB)
      const name = `bench-${++serial}`
      const clock = new StepClock()
      rmSync(rssFile, { force: true })
      const runRoot = join(tmp, `artifact-run-${serial}`)
      const result = await runWithArtifacts(
        h,
        dist,
        runRoot,
        validInputs(sim, cohort.ids[config.variant.key], { 'artifact-name': name }),
        { NODE_OPTIONS: `--import=${PEAK_RSS}`, BENCH_PEAK_RSS_FILE: rssFile },
        text => clock.feed(text)
      )
      check(result, `the action (${config.sizeMB} MB, ${config.variant.key})`)
      const rss = JSON.parse(readFileSync(rssFile, 'utf8'))
      const s = samples.get(config)
      s.peak.push(rss.peak)
      s.download.push(rss.steps[STEPS.download])
      s.downloadMs.push(clock.duration(STEPS.download))
      s.uploadMs.push(clock.duration(STEPS.upload))
      const file = result.outputs.cohortFile
      if (config.variant.key === 'inline-plain' && uploadSizes.includes(config.sizeMB)) {
        const env = Object.fromEntries(
          Object.entries(result.env).filter(
            ([k]) => !k.startsWith('INPUT_') && !k.startsWith('BENCH_') && k !== 'NODE_OPTIONS'
          )
        )
        const bare = check(
          await runCommand(process.execPath, [BARE_UPLOAD, file, `${name}-bare`, String(COMPRESSION_LEVEL)], {
            env,
            timeoutMs: 300_000
          }),
          'the bare upload'
        )
        const measured = JSON.parse(/^BENCH_RESULT (.*)$/m.exec(bare.stdout)[1])
        s.bareMs.push(measured.ms)
        s.barePeak.push(measured.peakKiB)
        await dropArtifact(h, `${name}-bare`)
      }
      await dropArtifact(h, name)
      rmSync(file, { force: true })
      rmSync(runRoot, { recursive: true, force: true })
    }
    progress(`memory/upload: round ${run + 1}/${runs}`)
  }

  // 1. Memory
  const baseNode = kibToMiB(median(baseline.node))
  const baseBundle = kibToMiB(median(baseline.bundle))
  const smallest = Math.min(...sizes)
  const memoryRows = []
  let underLimit = true
  let worstGrowth = -Infinity
  const peakOfConfig = (sizeMB, key) => {
    const config = configs.find(c => c.sizeMB === sizeMB && c.variant.key === key)
    return config ? kibToMiB(median(samples.get(config).peak)) : NaN
  }
  for (const config of configs) {
    const s = samples.get(config)
    const peak = kibToMiB(median(s.peak))
    const growth = peak - peakOfConfig(smallest, config.variant.key)
    underLimit &&= kibToMiB(max(s.peak)) < RSS_LIMIT_MIB
    if (config.sizeMB !== smallest) worstGrowth = Math.max(worstGrowth, growth)
    const cohort = await cohorts.get(config.sizeMB)
    memoryRows.push([
      `${(cohort.bytes / MB).toFixed(0)} MB`,
      config.variant.key.replace('-', ', '),
      `**${fixed(peak)}**`,
      `${fixed(kibToMiB(min(s.peak)))}–${fixed(kibToMiB(max(s.peak)))}`,
      fixed(kibToMiB(median(s.download))),
      config.sizeMB === smallest ? 'baseline' : `${growth >= 0 ? '+' : ''}${fixed(growth)}`,
      fixed(median(s.downloadMs)),
      fixed(median(s.uploadMs))
    ])
  }
  const memoryMarkdown = [
    `Peak RSS (MiB) of the \`node dist/index.js\` process over the whole run: request, poll, download, artifact upload ` +
      `(compression level ${COMPRESSION_LEVEL}, the default). CSV with properties; gzip = \`Content-Encoding: gzip\` ` +
      `(about ${(((await cohorts.get(sizes[sizes.length - 1])).gzipBytes / (await cohorts.get(sizes[sizes.length - 1])).bytes) * 100).toFixed(0)}% of the size on the wire). ` +
      `Growth is against the ${smallest} MB run of the same kind. Baselines: \`node -e ""\` ${fixed(baseNode)} MiB; the ` +
      `bundle loaded and stopped at input validation ${fixed(baseBundle)} MiB.`,
    '',
    table(
      [
        'file',
        'served',
        'peak RSS (median)',
        'min–max',
        'peak by end of download',
        'growth vs smallest',
        'download ms',
        'upload ms'
      ],
      memoryRows,
      ['l', 'l']
    )
  ].join('\n')
  const memoryTargets = memory
    ? [
        {
          name: `Peak RSS < ${RSS_LIMIT_MIB} MiB at every size (worst run)`,
          value: `${fixed(kibToMiB(max(configs.flatMap(c => samples.get(c).peak))))} MiB`,
          pass: underLimit
        },
        {
          name: `Largest file's peak within ${GROWTH_LIMIT_MIB} MiB of the smallest's (medians, same kind)`,
          value: `${worstGrowth >= 0 ? '+' : ''}${fixed(worstGrowth)} MiB`,
          pass: worstGrowth <= GROWTH_LIMIT_MIB
        }
      ]
    : []

  // 3. Upload
  const uploadRows = []
  let worstRatio = 0
  for (const config of configs.filter(
    c => c.variant.key === 'inline-plain' && uploadSizes.includes(c.sizeMB)
  )) {
    const s = samples.get(config)
    const actionMs = median(s.uploadMs)
    const bareMs = median(s.bareMs)
    const ratio = actionMs / bareMs
    worstRatio = Math.max(worstRatio, ratio)
    const cohort = await cohorts.get(config.sizeMB)
    uploadRows.push([
      `${(cohort.bytes / MB).toFixed(0)} MB`,
      fixed(actionMs),
      fixed(bareMs),
      `**${ratio.toFixed(2)}**`,
      fixed(kibToMiB(median(s.barePeak))),
      `${s.uploadMs.map(v => v.toFixed(0)).join(', ')} / ${s.bareMs.map(v => v.toFixed(0)).join(', ')}`
    ])
  }
  const uploadMarkdown = [
    `The action's "Upload the artifact" step against bench/lib/bare-upload.mjs: \`new DefaultArtifactClient()\` and ` +
      `\`uploadArtifact(name, [file], dirname(file), { compressionLevel: ${COMPRESSION_LEVEL} })\` of the file the action just ` +
      'wrote, to the same Azurite through the same results-service stub, right after each action run.',
    '',
    table(
      [
        'file',
        'action ms (median)',
        'bare ms (median)',
        'action / bare',
        'bare peak RSS MiB',
        'runs: action / bare (ms)'
      ],
      uploadRows,
      ['l']
    )
  ].join('\n')

  return {
    memory: memory ? { markdown: memoryMarkdown } : undefined,
    memoryTargets,
    upload: { markdown: uploadMarkdown },
    uploadTarget: {
      name: 'Upload adds nothing to a bare uploadArtifact() (action / bare ≤ 1.1, largest ratio)',
      value: worstRatio,
      pass: worstRatio <= 1.1
    },
    samples: [...samples].map(([c, s]) => ({ sizeMB: c.sizeMB, variant: c.variant.key, ...s })),
    baseline
  }
}
