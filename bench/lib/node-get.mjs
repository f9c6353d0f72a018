// The Node.js floor for a download: one http.get streamed to a file, nothing else (no hashing, no counting). Prints
// `{"ms": …}`: from the request to the file being closed, in this process.
import { createWriteStream } from 'node:fs'
import { get } from 'node:http'
import { pipeline } from 'node:stream/promises'

const [url, file, authorization] = process.argv.slice(2)
const started = performance.now()
const response = await new Promise((resolve, reject) =>
  get(url, { headers: authorization ? { authorization } : {} }, resolve).on('error', reject)
)
if (response.statusCode !== 200) {
  console.error(`HTTP ${response.statusCode}`)
  process.exit(1)
}
await pipeline(response, createWriteStream(file))
console.log(JSON.stringify({ ms: performance.now() - started }))
