// What reaches git from outside is checked first and passed only as arguments after `--`. The
// shapes are the ones behind the command injections other deployment platforms shipped: option
// smuggling, shell substitutions and separators, newlines, and git's ext:: transport.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fetchArgs, gitRefProblem, gitUrlProblem, GitInputError, repoPathProblem } from '../../src/domain/git-input.js';

const BAD_URLS = [
  '--upload-pack=touch /tmp/pwned',
  '-oProxyCommand=touch /tmp/pwned',
  'ext::sh -c touch% /tmp/pwned',
  'fd::17',
  'https://example.com/repo.git; touch /tmp/pwned',
  'https://example.com/$(touch /tmp/pwned).git',
  'https://example.com/`id`.git',
  'https://example.com/repo.git\ntouch /tmp/pwned',
  'https://example.com/repo.git\r\n',
  'https://user:password@example.com/repo.git',
  'javascript:alert(1)',
  '',
];

const BAD_REFS = ['--upload-pack=touch /tmp/pwned', '-b', '$(touch /tmp/pwned)', '`id`', 'main;touch /tmp/pwned', 'main && id', 'main|id', 'main\nid', 'a..b', 'main@{1}', '.hidden', 'main.lock', 'main/', '/main', 'a b', "'x'", ''];

describe('git input', () => {
  test.each(BAD_URLS)('the URL %j is refused', (url) => {
    expect(gitUrlProblem(url)).not.toBeNull();
    expect(() => fetchArgs(url, 'main')).toThrow(GitInputError);
  });

  test.each(BAD_REFS)('the ref %j is refused', (ref) => {
    expect(gitRefProblem(ref)).not.toBeNull();
    expect(() => fetchArgs('https://example.com/r.git', ref)).toThrow(GitInputError);
  });

  test('paths stay inside the repository', () => {
    for (const p of ['../etc/passwd', 'a/../../b', '/etc/passwd', '-f', 'a\nb']) expect(repoPathProblem(p), p).not.toBeNull();
    for (const p of ['Dockerfile', 'apps/web/Dockerfile', '.']) expect(repoPathProblem(p), p).toBeNull();
  });

  test('good URLs and refs pass, and reach git only after --', () => {
    for (const url of ['https://git.example.com/team/web.git', 'ssh://git@example.com/team/web.git', 'git@example.com:team/web.git', 'file:///srv/repos/web']) expect(gitUrlProblem(url), url).toBeNull();
    for (const ref of ['main', 'feature/x-1', 'v1.2.3', 'a'.repeat(40), 'HEAD', 'release-2026.11']) expect(gitRefProblem(ref), ref).toBeNull();
    const args = fetchArgs('https://git.example.com/team/web.git', 'feature/x');
    expect(args.slice(args.indexOf('--'))).toEqual(['--', 'https://git.example.com/team/web.git', 'feature/x']);
  });

  test('after --, real git takes even an option-shaped value as a repository, not as --upload-pack', () => {
    // Why the separator matters beyond the checks: git itself is asked with such a value.
    const dir = mkdtempSync(join(tmpdir(), 'berth-git-args-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: dir });
      const marker = join(dir, 'pwned');
      let failed = false;
      try {
        execFileSync('git', ['fetch', '-q', '--depth', '1', '--', `--upload-pack=touch ${marker}`, 'main'], { cwd: dir, stdio: 'pipe', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
      } catch {
        failed = true;
      }
      expect(failed).toBe(true);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
