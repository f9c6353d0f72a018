// The SHA-256 of a file, on Node built-ins only: the simulator uses it, and the simulator must start on a clone
// without node_modules (the `uses: ./` self-test in .github/workflows/ci.yml runs it before any `npm ci`).
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/**
 * The SHA-256 of a file, hex, read as a stream (the files may be hundreds of MB).
 * @param {string} file
 * @returns {Promise<string>}
 */
export function sha256File(file) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(file)
      .on('data', chunk => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject)
  })
}
