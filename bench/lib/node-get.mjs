// The Node.js floors for a download: one http.get, nothing else (no hashing, no counting). With a file, the body is
// streamed to it; with `-` as the file, the body is read and dropped (no disk at all). Prints `{"ms": …}`: from the
// request to the file being closed (or the body's end), in this process.
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
if (file === '-') for await (const chunk of response) void chunk
else await pipeline(response, createWriteStream(file))
console.log(JSON.stringify({ ms: performance.now() - started }))
