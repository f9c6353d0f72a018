import { describe, expect, it } from '@jest/globals'
import { readFileSync, readdirSync } from 'node:fs'

// Every third-party package that ncc bundled into any dist/ chunk must have a notice in dist/licenses.txt: a
// "name@version" line, its license, and the license text. The packages are read from the chunks' source maps, so a
// dependency added, updated or moved to another chunk is covered without editing this test.
const dist = new URL('../../dist/', import.meta.url)
const root = new URL('../../', import.meta.url)

function bundled(): string[] {
  const found = new Set<string>()
  for (const file of readdirSync(dist).filter(f => f.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(new URL(file, dist), 'utf8')) as { sources: string[] }
    for (const source of map.sources) {
      const match = /^(?:.*?\/)?((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)+)/.exec(source)
      if (!match) continue
      const pkg = JSON.parse(readFileSync(new URL(`${match[1]}package.json`, root), 'utf8')) as {
        name: string
        version: string
      }
      found.add(`${pkg.name}@${pkg.version}`)
    }
  }
  return [...found].sort()
}

/** name@version → the text of its notice (the lines after the heading, up to the next heading). */
function notices(): Map<string, string> {
  const text = readFileSync(new URL('licenses.txt', dist), 'utf8')
  const entries = text.split(/\n\n(?=(?:@[^/\s]+\/)?[^@\s/]+@\d[^\s]*\n)/)
  const result = new Map<string, string>()
  for (const entry of entries) {
    const [heading, ...rest] = entry.split('\n')
    if (/^(?:@[^/\s]+\/)?[^@\s/]+@\d\S*$/.test(heading)) result.set(heading, rest.join('\n'))
  }
  return result
}

describe('dist/licenses.txt', () => {
  const packages = bundled()

  it('finds the bundled packages in the source maps of every chunk', () => {
    const names = packages.map(p => p.replace(/@[^@]+$/, ''))
    // index.js alone bundles these; the lazily loaded artifact chunk bundles the others.
    for (const name of [
      '@actions/core',
      '@actions/exec',
      '@actions/io',
      'parse-duration',
      'tunnel',
      'undici'
    ]) {
      expect(names).toContain(name)
    }
    expect(names).toContain('@actions/artifact')
  })

  it('has a notice with license text for every bundled package', () => {
    const have = notices()
    const missing = packages.filter(p => !have.has(p))
    expect(missing).toEqual([])
    const withoutText = packages.filter(p => {
      const body = have.get(p) ?? ''
      return (
        !/copyright|permission|licen[cs]e/i.test(body.split('\n').slice(1).join('\n')) || body.length < 200
      )
    })
    expect(withoutText).toEqual([])
  })
})
