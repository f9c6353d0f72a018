#!/usr/bin/env node
// Writes dist/licenses.txt: the notice of every third-party package bundled into any dist/ chunk.
//
// ncc writes one licenses file per chunk and the last chunk written wins, so the packages bundled only into
// dist/index.js had no notice in what we distribute. `npm run bundle` (script/bundle.mjs) has ncc write webpack's
// stats of the build (`--stats-out`, to a scratch file): the bundler's own list of the modules in every chunk, with
// their files. For each node_modules/<package> among those files, this script writes the package's name, version,
// license and full license text from its folder. A package whose folder has no license text gets it from FALLBACK
// below (each entry says where its text comes from); any other package without one is an error, so a dependency
// update cannot silently drop a notice.
//
// Usage: node script/licenses.mjs <stats.json> [dist-dir]   (exit 1 and a list when a notice is missing)
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { join, relative, resolve, dirname, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.`

/**
 * Packages published without a license file whose README has no license text either. Each gets the standard text of
 * the license its author gave, with the author's copyright line; `source` says where both come from.
 */
const FALLBACK = {
  // No LICENSE file and no "license" field in buffers@0.1.1; its upstream repository (substack/node-buffers) has a
  // LICENSE file with the MIT License and this copyright line.
  buffers: {
    license: 'MIT',
    copyright: 'Copyright (c) 2010 James Halliday (mail@substack.net)',
    source: 'the LICENSE file of the upstream repository substack/node-buffers'
  },
  chainsaw: {
    license: 'MIT',
    copyright: 'Copyright (c) James Halliday <mail@substack.net> (http://substack.net)',
    source: 'package.json: "license": "MIT/X11" and "author"; the standard MIT License text'
  },
  binary: {
    license: 'MIT',
    copyright: 'Copyright (c) James Halliday <mail@substack.net> (http://substack.net)',
    source:
      'package.json: "license": "MIT" and "author" (the README says "MIT"); the standard MIT License text'
  },
  '@nodable/entities': {
    license: 'MIT',
    copyright: 'Copyright (c) Amit Gupta (https://solothought.com)',
    source:
      'package.json: "license": "MIT" and "author" (the README says "MIT"); the standard MIT License text'
  }
}

/** node_modules/a/node_modules/@s/b/lib/x.js → node_modules/a/node_modules/@s/b */
function packageDir(source) {
  const at = source.indexOf('node_modules/')
  if (at < 0) return undefined
  const parts = source.slice(at).split('/')
  const dir = []
  for (let i = 0; i < parts.length && parts[i] === 'node_modules';) {
    const scoped = parts[i + 1].startsWith('@')
    dir.push(...parts.slice(i, i + (scoped ? 3 : 2)))
    i += scoped ? 3 : 2
  }
  return dir.join('/')
}

/**
 * The files of the modules webpack put into the chunks, from its stats (`ncc build --stats-out`, `stats.toJson()`):
 * every module in a chunk, and every module concatenated into one of those (listed under it; on its own it is in no
 * chunk). A module in no chunk was not bundled.
 */
export function bundledFiles(stats) {
  if (!Array.isArray(stats?.modules)) throw new Error('the webpack stats have no module list')
  const files = []
  for (const module of stats.modules) {
    if (!Array.isArray(module.chunks)) throw new Error(`the webpack stats give no chunks for ${module.name}`)
    if (module.chunks.length === 0) continue
    for (const part of [module, ...(module.modules ?? [])]) {
      // An absolute path; none for webpack's runtime and for Node's built-in modules (externals).
      if (part.nameForCondition) files.push(part.nameForCondition)
    }
  }
  if (files.length === 0) throw new Error('the webpack stats list no bundled file')
  return files
}

/** The packages bundled into the build that `stats` describe, as { dir, name, version }, sorted by name then version. */
export function bundledPackages(stats) {
  const dirs = new Set()
  for (const file of bundledFiles(stats)) {
    // Relative to the project, so that a parent folder called node_modules does not count.
    const dir = packageDir(relative(root, file).split(sep).join('/'))
    if (dir) dirs.add(dir)
  }
  const packages = new Map()
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'))
    packages.set(`${pkg.name}@${pkg.version}`, { dir, name: pkg.name, version: pkg.version, pkg })
  }
  return [...packages.values()].sort((a, b) =>
    a.name === b.name ? a.version.localeCompare(b.version) : a.name < b.name ? -1 : 1
  )
}

function licenseText(dir) {
  const files = readdirSync(join(root, dir))
  const licenses = files.filter(f => /^(licen[cs]e|copying)(\.|-|$)/i.test(f)).sort()
  if (licenses.length > 0) {
    return { text: licenses.map(f => readFileSync(join(root, dir, f), 'utf8').trim()).join('\n\n') }
  }
  // Some packages carry the full text in their README's License section instead.
  const readme = files.find(f => /^readme(\.|$)/i.test(f))
  const section =
    readme &&
    /^#+ *licen[cs]e *\n+([\s\S]*?)(?=\n#+ |(?![\s\S]))/im.exec(readFileSync(join(root, dir, readme), 'utf8'))
  if (section && /Permission is hereby granted|Redistribution and use|Permission to use/.test(section[1])) {
    return {
      text: section[1].trim(),
      note: `[no license file in the package; this text is from its ${readme}]`
    }
  }
  return undefined
}

function licenseId(pkg) {
  if (typeof pkg.license === 'string') return pkg.license
  if (pkg.license?.type) return pkg.license.type
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map(l => l.type ?? l).join(' OR ')
  return undefined
}

/**
 * The notices of `packages` (from bundledPackages), and the packages that have no license text to give.
 * @param {{ dir: string, name: string, version: string, pkg: object }[]} packages
 * @param {Record<string, { license: string, copyright: string, source: string }>} [fallbacks]
 */
export function notices(packages, fallbacks = FALLBACK) {
  const missing = []
  const entries = []
  for (const { dir, name, version, pkg } of packages) {
    const found = licenseText(dir)
    const fallback = fallbacks[name]
    if (found) {
      entries.push(
        [`${name}@${version}`, licenseId(pkg) ?? 'see text', found.note, found.text]
          .filter(Boolean)
          .join('\n')
      )
    } else if (fallback?.license === 'MIT') {
      const note = `[no license file in the package; from ${fallback.source}]`
      entries.push(
        `${name}@${version}\n${fallback.license}\n${note}\n(The MIT License)\n\n${fallback.copyright}\n\n${MIT}`
      )
    } else {
      missing.push(`${name}@${version} (${dir}): no LICENSE/COPYING file and no FALLBACK entry`)
    }
  }
  const header =
    'Third-party software bundled into dist/ by `npm run bundle`, with its license notices.\n' +
    'Generated by script/licenses.mjs from the webpack stats of the build (every chunk); do not edit.\n'
  return { text: `${header}\n${entries.join('\n\n')}\n`, missing, count: entries.length }
}

/** Writes `<dist>/licenses.txt` for the build that `stats` describe; false (and the list on stderr) when a text is missing. */
export function writeNotices(stats, dist) {
  const { text, missing, count } = notices(bundledPackages(stats))
  if (missing.length > 0) {
    console.error(`No license text for ${missing.length} bundled package(s):\n  ${missing.join('\n  ')}`)
    console.error('Add the text to FALLBACK in script/licenses.mjs (with where it comes from).')
    return false
  }
  writeFileSync(join(dist, 'licenses.txt'), text)
  console.log(`${relative(process.cwd(), join(dist, 'licenses.txt'))}: ${count} packages`)
  return true
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [statsFile, distDir = 'dist'] = process.argv.slice(2)
  if (!statsFile || !existsSync(statsFile)) {
    console.error('usage: node script/licenses.mjs <stats.json from ncc build --stats-out> [dist-dir]')
    process.exit(2)
  }
  const stats = JSON.parse(readFileSync(statsFile, 'utf8'))
  if (!writeNotices(stats, resolve(distDir))) process.exit(1)
}
