#!/usr/bin/env node
// Writes dist/licenses.txt: the notice of every third-party package bundled into any dist/ chunk.
//
// ncc writes one licenses file per chunk and the last chunk written wins, so the packages bundled only into
// dist/index.js had no notice in what we distribute. This script runs after `ncc build` (see `npm run bundle`),
// reads the `sources` of every dist/*.js.map, and for each node_modules/<package> path found there writes the
// package's name, version, license and full license text from its folder. A package whose folder has no license
// text gets it from FALLBACK below (each entry says where its text comes from); any other package without one is an
// error, so a dependency update cannot silently drop a notice.
//
// Usage: node script/licenses.mjs [dist-dir]   (exit 1 and a list when a notice is missing)
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dist = resolve(root, process.argv[2] ?? 'dist')

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

/** The packages bundled into the chunks of `distDir`, as { dir, name, version }, sorted by name then version. */
export function bundledPackages(distDir = dist) {
  const dirs = new Set()
  for (const file of readdirSync(distDir).filter(f => f.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(join(distDir, file), 'utf8'))
    for (const source of map.sources) {
      const dir = packageDir(source)
      if (dir) dirs.add(dir)
    }
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

export function notices(distDir = dist) {
  const missing = []
  const entries = []
  for (const { dir, name, version, pkg } of bundledPackages(distDir)) {
    const found = licenseText(dir)
    const fallback = FALLBACK[name]
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
    'Generated by script/licenses.mjs from the source maps of every dist/ chunk; do not edit.\n'
  return { text: `${header}\n${entries.join('\n\n')}\n`, missing, count: entries.length }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(dist)) {
    console.error(`${dist} does not exist: run ncc first`)
    process.exit(1)
  }
  const { text, missing, count } = notices(dist)
  if (missing.length > 0) {
    console.error(`No license text for ${missing.length} bundled package(s):\n  ${missing.join('\n  ')}`)
    console.error('Add the text to FALLBACK in script/licenses.mjs (with where it comes from).')
    process.exit(1)
  }
  writeFileSync(join(dist, 'licenses.txt'), text)
  console.log(`dist/licenses.txt: ${count} packages`)
}
