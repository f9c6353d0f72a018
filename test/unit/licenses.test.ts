import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundledPackages, notices } from '../../script/licenses.mjs'

// Every third-party package that ncc bundles into any dist/ chunk must have a notice in dist/licenses.txt: a
// "name@version" line, its license, and the license text. dist/ ships no source maps, so which packages a build holds
// is known while it is built: `npm run bundle` reads it from webpack's stats of the build (script/licenses.mjs) and
// fails when a package has no license text, and CI fails when the committed dist/ differs from a fresh build. Here:
// that reading the stats of a real ncc build finds each kind of bundled package and refuses one without a text, and
// that the shipped notices cover what the shipped chunks name.
const root = fileURLToPath(new URL('../../', import.meta.url))
const dist = join(root, 'dist')
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js')

/** name@version of the package in `dir` (a node_modules/… path). */
function packageId(dir: string): string {
  const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
    name: string
    version: string
  }
  return `${pkg.name}@${pkg.version}`
}

/** name@version → the text of its notice (the lines after the heading, up to the next heading). */
function shippedNotices(): Map<string, string> {
  const text = readFileSync(join(dist, 'licenses.txt'), 'utf8')
  const entries = text.split(/\n\n(?=(?:@[^/\s]+\/)?[^@\s/]+@\d[^\s]*\n)/)
  const result = new Map<string, string>()
  for (const entry of entries) {
    const [heading, ...rest] = entry.split('\n')
    if (/^(?:@[^/\s]+\/)?[^@\s/]+@\d\S*$/.test(heading)) result.set(heading, rest.join('\n'))
  }
  return result
}

/** Whether a notice's body (license id, then text) holds a license text. */
function hasText(body: string): boolean {
  return /copyright|permission|licen[cs]e/i.test(body.split('\n').slice(1).join('\n')) && body.length >= 200
}

describe('the bundled packages, from the webpack stats of an ncc build', () => {
  let scratch: string
  let packages: ReturnType<typeof bundledPackages>

  beforeAll(() => {
    // Inside the project, so that ncc resolves the entry's imports from its node_modules.
    mkdirSync(join(root, '.tmp'), { recursive: true })
    scratch = mkdtempSync(join(root, '.tmp', 'licenses-'))
    const entry = join(scratch, 'entry.mjs')
    // tunnel: CommonJS; parse-duration: an ES module that webpack concatenates into the entry's module;
    // lazystream: CommonJS with packages of its own in its node_modules; buffers: no license file anywhere.
    writeFileSync(
      entry,
      [
        "import tunnel from 'tunnel'",
        "import parse from 'parse-duration'",
        "import lazystream from 'lazystream'",
        "import Buffers from 'buffers'",
        'console.log(tunnel, parse, lazystream, Buffers)'
      ].join('\n')
    )
    const stats = join(scratch, 'stats.json')
    execFileSync(
      process.execPath,
      [ncc, 'build', entry, '-o', join(scratch, 'out'), '--stats-out', stats, '-q'],
      {
        cwd: root
      }
    )
    packages = bundledPackages(JSON.parse(readFileSync(stats, 'utf8')))
  })

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true })
  })

  it('finds CommonJS, concatenated ES modules and nested packages', () => {
    const found = packages.map(p => p.dir)
    for (const dir of [
      'node_modules/tunnel',
      'node_modules/parse-duration',
      'node_modules/lazystream',
      'node_modules/lazystream/node_modules/readable-stream',
      'node_modules/process-nextick-args',
      'node_modules/buffers'
    ]) {
      expect(found).toContain(dir)
    }
    expect(packages.map(p => `${p.name}@${p.version}`)).toContain(
      packageId('node_modules/lazystream/node_modules/readable-stream')
    )
  })

  it('refuses a bundled package that has no license text', () => {
    const without = notices(packages, {})
    expect(without.missing).toEqual([
      expect.stringMatching(/^buffers@[\d.]+ \(node_modules\/buffers\): no LICENSE/)
    ])
    const withFallback = notices(packages)
    expect(withFallback.missing).toEqual([])
    expect(withFallback.count).toBe(packages.length)
  })
})

describe('dist/licenses.txt', () => {
  const have = shippedNotices()

  it('has a notice for every package the chunks name, and for those known to be bundled', () => {
    // webpack names each ES module it concatenates (`// CONCATENATED MODULE: ./node_modules/…`); CommonJS modules go
    // by number, so the known ones are listed (index.js and its chunks, and the artifact client's chunk).
    const named = new Set<string>()
    for (const file of readdirSync(dist).filter(f => f.endsWith('.js'))) {
      const code = readFileSync(join(dist, file), 'utf8')
      for (const match of code.matchAll(
        /CONCATENATED MODULE: \.\/((?:node_modules\/(?:@[^/\s]+\/)?[^/\s]+\/)+)/g
      )) {
        named.add(packageId(match[1]))
      }
    }
    const names = [...named].map(p => p.replace(/@[^@]+$/, ''))
    expect(names).toEqual(expect.arrayContaining(['@actions/core', '@actions/artifact', 'parse-duration']))
    const known = ['@actions/exec', '@actions/io', 'tunnel', 'undici'].map(name =>
      packageId(`node_modules/${name}`)
    )
    const missing = [...named, ...known].filter(p => !have.has(p))
    expect(missing).toEqual([])
  })

  it('has license text in every notice', () => {
    expect(have.size).toBeGreaterThan(100)
    const withoutText = [...have].filter(([, body]) => !hasText(body)).map(([id]) => id)
    expect(withoutText).toEqual([])
  })
})
