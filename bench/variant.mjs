// Builds an alternative bundle from src/ plus patches, for measuring a proposed change without touching src/:
//
//   node bench/variant.mjs <name> [bench/patches/x.patch ...]      (BENCH_NCC_ARGS=-m for extra ncc flags;
//                                                      BENCH_NCC_ARGS=--source-map for source maps and their register,
//                                                      as dist/ shipped them until 2026-12)
//   BENCH_DIST=bench/out/variants/<name>/dist/index.js BENCH_SECTIONS=download,startup npm run bench
//
// The patches are `git diff` style, made against the repository root (a/src/…). The copy lives in bench/out/
// (ignored by git) so that its imports resolve from the project's node_modules; ncc bundles it as `npm run bundle`
// bundles src/ (~30 s).
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const [name, ...patches] = process.argv.slice(2)
if (!name || !/^[\w.-]+$/.test(name)) {
  console.error('usage: node bench/variant.mjs <name> [patch ...]')
  process.exit(2)
}
const dir = join(ROOT, 'bench', 'out', 'variants', name)
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true })
for (const patch of patches) {
  execFileSync('patch', ['-p1', '--forward', '--batch', '-d', dir, '-i', resolve(patch)], {
    stdio: 'inherit'
  })
}
execFileSync(
  process.execPath,
  [
    join(ROOT, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js'),
    'build',
    join(dir, 'src', 'index.ts'),
    '-o',
    join(dir, 'dist'),
    // as `npm run bundle` (script/bundle.mjs), without its licenses file
    '-q',
    ...(process.env.BENCH_NCC_ARGS ?? '').split(' ').filter(Boolean)
  ],
  { stdio: 'inherit', cwd: ROOT }
)
console.log(join(dir, 'dist', 'index.js'))
