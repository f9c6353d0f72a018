// The reference for the artifact upload: a bare @actions/artifact uploadArtifact() of one file, with the options the
// action passes, in a process of its own (run with the environment the harness gave the action: ACTIONS_RESULTS_URL,
// ACTIONS_RUNTIME_TOKEN, …). The library is imported before the clock starts, as the bundle has it loaded already.
// Prints `BENCH_RESULT {"ms", "id", "size", "peakKiB"}` after the library's own log lines.
import { DefaultArtifactClient } from '@actions/artifact'
import { dirname } from 'node:path'

const [file, name, compressionLevel] = process.argv.slice(2)
const started = performance.now()
const client = new DefaultArtifactClient()
const result = await client.uploadArtifact(name, [file], dirname(file), {
  compressionLevel: Number(compressionLevel)
})
const ms = performance.now() - started
console.log(
  `BENCH_RESULT ${JSON.stringify({ ms, id: result.id, size: result.size, peakKiB: process.resourceUsage().maxRSS })}`
)
