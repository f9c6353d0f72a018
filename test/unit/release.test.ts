import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// script/release against a throw-away git repository: which versions it refuses, and which tags it writes.
const release = fileURLToPath(new URL('../../script/release', import.meta.url))
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1'
}
let repo: string
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' }).trim()
const run = (...args: string[]) => {
  const r = spawnSync('bash', [release, ...args], { cwd: repo, env, encoding: 'utf8' })
  return { code: r.status, out: r.stdout + r.stderr }
}
/** Commits package.json and CHANGELOG.md for `version`. */
const commitVersion = (version: string) => {
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'x', version }))
  writeFileSync(join(repo, 'CHANGELOG.md'), `# Changelog\n\n## [${version}] - 2026-01-01\n`)
  git('add', '-A')
  git('commit', '-q', '--allow-empty', '-m', version)
}

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'release-test-'))
  git('init', '-q')
})
afterEach(() => rmSync(repo, { recursive: true, force: true }))

describe('script/release', () => {
  it('tags the first release and creates the major tag', () => {
    commitVersion('1.0.0')
    expect(run().code).toBe(0)
    expect(git('rev-parse', 'v1.0.0^{commit}')).toBe(git('rev-parse', 'HEAD'))
    expect(git('rev-parse', 'v1^{commit}')).toBe(git('rev-parse', 'HEAD'))
  })

  it('compares versions as numbers and moves the major tag', () => {
    commitVersion('1.9.9')
    run()
    commitVersion('1.10.0')
    const { code, out } = run()
    expect(out).toContain('latest release: v1.9.9')
    expect(code).toBe(0)
    expect(git('rev-parse', 'v1^{commit}')).toBe(git('rev-parse', 'HEAD'))
    expect(git('rev-parse', 'v1.9.9^{commit}')).not.toBe(git('rev-parse', 'HEAD'))
  })

  it.each([
    ['the same version', '1.2.3'],
    ['a lower patch', '1.2.2'],
    ['a lower minor with a higher patch', '1.1.9'],
    ['a lower major', '0.9.0']
  ])('refuses %s as the latest tag', (_, version) => {
    commitVersion('1.2.3')
    run()
    commitVersion(version)
    const { code, out } = run()
    expect(code).toBe(1)
    expect(out).toContain(`v${version} is not greater than the latest release tag v1.2.3`)
    expect(git('tag', '--list', `v${version}`)).toBe(version === '1.2.3' ? 'v1.2.3' : '')
  })

  it('starts a new major tag without moving the old one', () => {
    commitVersion('1.4.0')
    run()
    const v1 = git('rev-parse', 'v1^{commit}')
    commitVersion('2.0.0')
    expect(run().code).toBe(0)
    expect(git('rev-parse', 'v1^{commit}')).toBe(v1)
    expect(git('rev-parse', 'v2^{commit}')).toBe(git('rev-parse', 'HEAD'))
  })

  it('changes nothing on a dry run, and refuses bad versions and a dirty tree', () => {
    commitVersion('1.0.0')
    expect(run('--dry-run').out).toContain('dry run')
    expect(git('tag', '--list')).toBe('')
    expect(run('1.0').out).toContain("'1.0' is not a release version")
    expect(run('1.0.1').out).toContain('package.json says 1.0.0, not 1.0.1')
    writeFileSync(join(repo, 'dirty'), '')
    expect(run().out).toContain('uncommitted changes')
  })
})
