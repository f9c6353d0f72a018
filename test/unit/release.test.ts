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
/** Commits package.json and a CHANGELOG.md that releases `version` (`unreleased`: entries left under [Unreleased]). */
const commitVersion = (version: string, unreleased = '') => {
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'x', version }))
  writeFileSync(
    join(repo, 'CHANGELOG.md'),
    `# Changelog\n\n## [Unreleased]\n${unreleased}\n## [${version}] - 2026-01-01\n\n### Added\n\n- ${version} things\n\n` +
      `[Unreleased]: https://example.com/compare/v${version}...HEAD\n`
  )
  git('add', '-A')
  git('commit', '-q', '--allow-empty', '-m', version)
}
const tags = () => git('tag', '--list').split('\n').filter(Boolean)

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'release-test-'))
  git('init', '-q')
})
afterEach(() => rmSync(repo, { recursive: true, force: true }))

describe('script/release', () => {
  it('tags the release, and leaves the major tag to the release workflow', () => {
    commitVersion('1.0.0')
    const { code, out } = run()
    expect(out).toContain('latest release: none; tagging v1.0.0')
    expect(out).toContain('to publish: git push origin v1.0.0')
    expect(code).toBe(0)
    expect(git('rev-parse', 'v1.0.0^{commit}')).toBe(git('rev-parse', 'HEAD'))
    expect(tags()).toEqual(['v1.0.0'])
  })

  it('refuses while [Unreleased] has entries, saying what to do; empty subheadings are no entries', () => {
    commitVersion('1.0.0', '\n### Added\n\n- a feature nobody released\n')
    const { code, out } = run('--dry-run')
    expect(code).toBe(1)
    expect(out).toMatch(
      /^release: CHANGELOG.md's \[Unreleased\] section has entries, so 1\.0\.0 would not say what it ships\. Move them under a new '## \[1\.0\.0\] - \d{4}-\d\d-\d\d' heading below an empty '## \[Unreleased\]', .*commit, then run script\/release again\n$/
    )
    commitVersion('1.0.0', '\n### Added\n\n### Fixed\n')
    expect(run('--dry-run').code).toBe(0)
    expect(tags()).toEqual([])
  })

  it('refuses a version already tagged, even where it is the latest tag', () => {
    commitVersion('1.0.0')
    run()
    git('commit', '-q', '--allow-empty', '-m', 'later')
    const { code, out } = run('--dry-run')
    expect(code).toBe(1)
    expect(out).toContain('v1.0.0 is already tagged (commit ')
    expect(out).toContain('Set the next version in package.json and CHANGELOG.md, commit, then release that')
  })

  it('--check (the release workflow): accepts the tag when it is HEAD, refuses it elsewhere', () => {
    commitVersion('1.0.0')
    expect(run('--check', '1.0.0').out).toContain('v1.0.0: ready to release')
    run()
    const { code, out } = run('--check', '1.0.0')
    expect([code, out]).toEqual([0, expect.stringContaining('v1.0.0: ready to release')])
    git('commit', '-q', '--allow-empty', '-m', 'later')
    expect(run('--check', '1.0.0').out).toContain('v1.0.0 is already tagged')
  })

  it('--notes prints the version section, without the link definitions', () => {
    commitVersion('1.2.0')
    const { code, out } = run('--notes', '1.2.0')
    expect(code).toBe(0)
    expect(out).toBe('### Added\n\n- 1.2.0 things\n')
    expect(run('--notes', '9.9.9').out).toContain("CHANGELOG.md has no '## [9.9.9]' section with entries")
  })

  it('compares versions as numbers', () => {
    commitVersion('1.9.9')
    run()
    commitVersion('1.10.0')
    const { code, out } = run()
    expect(out).toContain('latest release: v1.9.9')
    expect(code).toBe(0)
    expect(git('rev-parse', 'v1.10.0^{commit}')).toBe(git('rev-parse', 'HEAD'))
  })

  it.each([
    ['a lower patch', '1.2.2'],
    ['a lower minor with a higher patch', '1.1.9'],
    ['a lower major', '0.9.0']
  ])('refuses %s than the latest tag', (_, version) => {
    commitVersion('1.2.3')
    run()
    commitVersion(version)
    const { code, out } = run()
    expect(code).toBe(1)
    expect(out).toContain(`v${version} is not greater than the latest release tag v1.2.3`)
    expect(tags()).toEqual(['v1.2.3'])
  })

  it('changes nothing on a dry run, and refuses bad versions, a missing section and a dirty tree', () => {
    commitVersion('1.0.0')
    expect(run('--dry-run').out).toContain('dry run')
    expect(tags()).toEqual([])
    expect(run('1.0').out).toContain("'1.0' is not a release version")
    expect(run('1.0.1').out).toContain('package.json says 1.0.0, not 1.0.1')
    writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'x', version: '1.1.0' }))
    git('commit', '-qam', 'bump without a changelog section')
    expect(run().out).toContain("CHANGELOG.md has no '## [1.1.0] - YYYY-MM-DD' heading")
    writeFileSync(join(repo, 'dirty'), '')
    commitVersion('1.1.0')
    writeFileSync(join(repo, 'dirty'), 'x')
    expect(run().out).toContain('uncommitted changes')
  })
})
