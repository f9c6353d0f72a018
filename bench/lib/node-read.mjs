// The Node.js floor for receiving a body: one http.get whose body is read and dropped (no file, no hashing). Prints
// `{"ms": …}`: from the request to the end of the body, in this process.
import { get } from 'node:http'

const [url, , authorization] = process.argv.slice(2)
const started = performance.now()
const response = await new Promise((resolve, reject) =>
  get(url, { headers: authorization ? { authorization } : {} }, resolve).on('error', reject)
)
if (response.statusCode !== 200) {
  console.error(`HTTP ${response.statusCode}`)
  process.exit(1)
}
for await (const chunk of response) void chunk
console.log(JSON.stringify({ ms: performance.now() - started }))
