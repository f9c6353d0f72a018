// Compiles src/**/*.ts to plain JavaScript under bench/out/src-js with the project's own TypeScript (transpileModule:
// no type check, a few ms per file), so the benchmarks import the real modules (poll-schedule, download) rather than
// replicas. The output sits inside the project so that package imports resolve from its node_modules.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Transpiles every .ts under src/ (or those of BENCH_SRC, e.g. a bench/variant.mjs copy); returns a function that imports
 * one of them by its path under src/ without extension (`'amplitude/poll-schedule'`).
 */
export function transpileSources(outDir = join(ROOT, 'bench', 'out', 'src-js')) {
  rmSync(outDir, { recursive: true, force: true })
  mkdirSync(outDir, { recursive: true })
  const srcDir = resolve(process.env.BENCH_SRC ?? join(ROOT, 'src'))
  const names = readdirSync(srcDir, { recursive: true }).filter(
    f => f.endsWith('.ts') && !f.endsWith('.d.ts')
  )
  for (const name of names) {
    const { outputText } = ts.transpileModule(readFileSync(join(srcDir, name), 'utf8'), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: false,
        isolatedModules: true
      },
      fileName: name
    })
    const out = join(outDir, name.replace(/\.ts$/, '.js'))
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, outputText)
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n')
  return name => import(pathToFileURL(join(outDir, `${name}.js`)).href)
}
