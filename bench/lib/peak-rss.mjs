// Preloaded into the action under test (NODE_OPTIONS=--import …: the harness spawns it, so /usr/bin/time cannot wrap
// it): writes to the file named by BENCH_PEAK_RSS_FILE, as JSON, the process's peak resident set size in KiB
// (getrusage ru_maxrss: the figure `/usr/bin/time -f %M` prints) at exit, and the peak so far at the end of each
// `::group::` of the log, which tells which step set the peak. Costs the process a few KiB and no work on the hot path.
import { writeFileSync } from 'node:fs'

const file = process.env.BENCH_PEAK_RSS_FILE
if (file) {
  const steps = {}
  let current
  const write = process.stdout.write
  process.stdout.write = function (chunk, ...rest) {
    const text = typeof chunk === 'string' ? chunk : ''
    const group = /^::group::(.*)$/m.exec(text)
    if (group) current = group[1]
    if (text.includes('::endgroup::') && current) steps[current] = process.resourceUsage().maxRSS
    return write.call(this, chunk, ...rest)
  }
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ peak: process.resourceUsage().maxRSS, steps }))
  })
}
