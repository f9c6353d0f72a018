// The Amplitude simulator in a process of its own, driven over IPC by sim-remote.mjs. The action under test and curl
// are children of the bench driver too, so the server side of every transfer runs on an event loop that nothing
// else in the benchmark shares.
import { startSimulator } from '../../test/sim/amplitude-simulator.mjs'

const sim = await startSimulator({
  ...(process.env.BENCH_SIM_DIR ? { dir: process.env.BENCH_SIM_DIR } : {}),
  // Amplitude's documented limits, enforced: 429 beyond 4 step-1 requests a minute or 5 in flight.
  ...(process.env.BENCH_SIM_LIMITS === '1' ? { limits: {} } : {})
})

const ops = {
  async addCohort({ id, spec }) {
    return sim.addCohort(id, spec)
  },
  /**
   * Registers `id` as another view of an existing cohort's files (e.g. the same 500 MB file served by redirect, or its
   * gzip twin), so that each size is generated and compressed only once. `overrides` may set `download` and `gzip`.
   */
  alias({ id, of, overrides }) {
    const source = sim.cohorts.get(of)
    if (!source) throw new Error(`no cohort '${of}'`)
    if (overrides.gzip && !source.gzFile) throw new Error(`cohort '${of}' has no gzip file`)
    sim.cohorts.set(id, { ...source, ...overrides })
    return null
  },
  requests({ since = 0 }) {
    return sim.requests.slice(since).map(({ route, host, status, at }) => ({ route, host, status, at }))
  },
  /** CPU time of this process (µs), to tell how much of a transfer the server side cost. */
  cpuUsage() {
    return process.cpuUsage()
  },
  requestCount() {
    return sim.requests.length
  },
  /** 429s sent because of the limits, and the most API requests that were in flight at once. */
  limitStats() {
    return { throttled: sim.throttled, peakInFlight: sim.peakInFlight }
  },
  clearRequests() {
    sim.requests.length = 0
    return null
  },
  async close() {
    await sim.close()
    return null
  }
}

process.on('message', async ({ seq, op, args }) => {
  try {
    const result = await ops[op](args ?? {})
    process.send({ seq, result })
    if (op === 'close') process.disconnect()
  } catch (error) {
    process.send({ seq, error: error instanceof Error ? error.message : String(error) })
  }
})
// The driver going away (even killed) closes the IPC channel: take the simulator's files with us.
process.on('disconnect', () => {
  sim.close().finally(() => process.exit(0))
})

process.send({
  ready: {
    apiUrl: sim.apiUrl,
    storageUrl: sim.storageUrl,
    apiKey: sim.apiKey,
    secretKey: sim.secretKey,
    dir: sim.dir
  }
})
