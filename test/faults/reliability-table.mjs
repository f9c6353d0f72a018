// Turns the rows the fault suite records into the tables of docs/reliability.md:
//
//   RELIABILITY_REPORT=.tmp/reliability.jsonl npm test -- test/faults
//   node test/faults/reliability-table.mjs .tmp/reliability.jsonl > .tmp/tables.md
//
// One table per test file (faults), and one for bad input. Request IDs, ports and generated cohort names are replaced
// by placeholders so the tables do not change from run to run except where a count or a wait really does.
import { readFileSync } from 'node:fs'

const file = process.argv[2] ?? '.tmp/reliability.jsonl'
const rows = readFileSync(file, 'utf8')
  .trim()
  .split('\n')
  .map(line => JSON.parse(line))

const ROUTES = ['cohorts', 'request', 'status', 'file', 'storage', 'unknown']

function clean(text) {
  return text
    .replace(/req-\d+-[0-9a-f]+/g, '<request_id>')
    .replace(/127\.0\.0\.(\d):\d+/g, '127.0.0.$1:<port>')
    .replace(/'([a-z0-9-]+?)-\d+-\d+'/g, "'<$1>'")
    .replace(/\/tmp\/[\w.-]+/g, '/tmp/…')
    .replace(/([a-z])\1{19,}/g, m => `${m[0]}×${m.length}`)
    .replace(/after \d+(\.\d+)?(ms|s)\b/g, 'after <t>')
}

/** The first sentence of an error: the advice that follows it is in the tests, not needed in a table. */
function outcome(text) {
  const first = text.replace(/^(.*?[).])\s+(Check|Large|Set) .*$/s, '$1')
  return first.length > 180 ? `${first.slice(0, 177)}…` : first
}

function cell(text) {
  return clean(text).replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function requests(counts) {
  const parts = ROUTES.filter(r => counts[r]).map(r => `${r === 'unknown' ? 'other' : r} ${counts[r]}`)
  return parts.length ? parts.join(', ') : '0'
}

const byFile = new Map()
for (const row of rows) {
  if (!byFile.has(row.file)) byFile.set(row.file, [])
  byFile.get(row.file).push(row)
}

const out = []
for (const [name, list] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
  if (name.endsWith('bad-input.test.ts')) continue
  out.push(`### ${name}`, '', '| Fault | Outcome | Requests | Notes | Test |', '|---|---|---|---|---|')
  for (const row of list) {
    const cells = [row.fault, outcome(row.outcome), requests(row.requests), row.note ?? '', row.test]
    out.push(`| ${cells.map(cell).join(' | ')} |`)
  }
  out.push('')
}

const bad = [...byFile].find(([name]) => name.endsWith('bad-input.test.ts'))?.[1] ?? []
if (bad.length) {
  out.push(
    '### test/faults/bad-input.test.ts',
    '',
    'Every row: exit code 1, exactly one `::error::` line, no request, nothing written. Test: ' +
      '`every bad input names the input and sends no request <input>: <bad value>`.',
    '',
    '| Input | Bad value | Error |',
    '|---|---|---|'
  )
  for (const row of bad) {
    const [, input, what] = /^`([^`]+)`: (.*)$/.exec(row.fault) ?? [null, '?', row.fault]
    out.push(`| \`${input}\` | ${cell(what)} | ${cell(row.outcome.replace(/^error: /, ''))} |`)
  }
  out.push('')
}
process.stdout.write(out.join('\n'))
