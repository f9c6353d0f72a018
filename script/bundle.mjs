#!/usr/bin/env node
// `npm run bundle`: dist/ from src/. ncc bundles src/index.ts into dist/ (the entry, which the join's worker thread
// also runs, and the chunks it imports on demand), without source maps: nothing reads them at run time, and they were
// half of dist/. A crash's stack trace points into dist/*.js, as the stacks of actions/checkout and actions/cache do.
// ncc writes webpack's stats of this build to a scratch file, from which script/licenses.mjs writes
// dist/licenses.txt (the bundler's own list of the modules in every chunk); the scratch file is deleted after.
//
// Usage: node script/bundle.mjs   (exit 1 when ncc fails or a bundled package has no license text)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeNotices } from './licenses.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')

rmSync(dist, { recursive: true, force: true })
const scratch = mkdtempSync(join(tmpdir(), 'bundle-'))
try {
  const statsFile = join(scratch, 'stats.json')
  execFileSync(
    process.execPath,
    [ncc, 'build', join(root, 'src', 'index.ts'), '-o', dist, '--stats-out', statsFile],
    { stdio: 'inherit', cwd: root }
  )
  if (!writeNotices(JSON.parse(readFileSync(statsFile, 'utf8')), dist)) process.exitCode = 1
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
