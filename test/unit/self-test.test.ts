import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// The `action` job of .github/workflows/ci.yml starts the simulator on a clean runner, before (and without) any
// `npm ci`. Here node_modules is always present, so a package import would not fail: read the import graph instead.
const root = fileURLToPath(new URL('../..', import.meta.url))

/** Every module specifier `file` imports statically or dynamically. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g
    )
  ].map(m => m[1] ?? m[2])
}

/** The packages (not built-ins) that `entry` and the local modules it imports reach, as `file: specifier`. */
function packagesReached(entry: string): string[] {
  const seen = new Set<string>()
  const found: string[] = []
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec))
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        found.push(`${relative(root, file)}: ${spec}`)
      }
    }
  }
  visit(entry)
  return found
}

describe('the simulator the CI self-test starts without npm ci', () => {
  it('reaches Node built-ins only', () => {
    expect(packagesReached(resolve(root, 'test/sim/serve.mjs'))).toEqual([])
  })

  it('would be caught importing a package through a local module', () => {
    // test/support/action.mjs reads action.yml with the `yaml` devDependency: what the simulator once imported.
    expect(packagesReached(resolve(root, 'test/support/action.mjs'))).toEqual([
      'test/support/action.mjs: yaml'
    ])
  })
})
