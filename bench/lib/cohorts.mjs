// Membership files of a given size in the simulator, generated once per size and served four ways: inline or by
// redirect to the storage host, plain or gzip (Content-Encoding: gzip), so each size costs one generation.
import { statSync } from 'node:fs'
import { MB, progress } from './util.mjs'

/** Bytes per member of the simulator's rows with properties (measured: 104,214,022 bytes for 1.7 M members). */
const BYTES_PER_MEMBER = 61.3

export const VARIANTS = [
  { key: 'inline-plain', download: 'inline', gzip: false },
  { key: 'redirect-plain', download: 'redirect', gzip: false },
  { key: 'inline-gzip', download: 'inline', gzip: 'header' },
  { key: 'redirect-gzip', download: 'redirect', gzip: 'header' }
]

export class CohortStore {
  /** @param {Awaited<ReturnType<import('./sim-remote.mjs').startRemoteSimulator>>} sim */
  constructor(sim) {
    this.sim = sim
    this.sizes = new Map()
  }

  /**
   * The cohort of about `sizeMB` MB (10^6 bytes): `{ members, bytes, gzipBytes, sha256, ids: { 'inline-plain': … } }`.
   */
  async get(sizeMB) {
    const known = this.sizes.get(sizeMB)
    if (known) return known
    const members = Math.max(1, Math.round((sizeMB * MB) / BYTES_PER_MEMBER))
    const base = `bench-${String(sizeMB).replace('.', 'p')}mb`
    const started = performance.now()
    const made = await this.sim.addCohort(base, { members, props: true, polls: 0, gzip: 'header' })
    const gzipBytes = statSync(`${made.file}.gz`).size
    const ids = {}
    for (const variant of VARIANTS) {
      const id = `${base}-${variant.key}`
      await this.sim.alias(id, base, { download: variant.download, gzip: variant.gzip })
      ids[variant.key] = id
    }
    const cohort = { sizeMB, members, bytes: made.bytes, gzipBytes, sha256: made.sha256, ids }
    progress(
      `generated ${sizeMB} MB cohort: ${members} members, ${(made.bytes / MB).toFixed(1)} MB ` +
        `(${(gzipBytes / MB).toFixed(1)} MB gzip) in ${((performance.now() - started) / 1000).toFixed(1)} s`
    )
    this.sizes.set(sizeMB, cohort)
    return cohort
  }
}
