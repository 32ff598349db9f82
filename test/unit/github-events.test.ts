import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { countSteps } from '../../activities/build/build-image.js';
import { displayUrl } from '../../activities/build/fetch-source.js';
import { gitUrlProblem } from '../../api/schemas/git-sources.js';
import { deliverySummary, isHandled, parseGitEvent } from '../../src/domain/github-events.js';
import { previewDomains, previewEnvironmentName } from '../../src/domain/preview.js';
import type { Json } from '../support/json.js';

const require = createRequire(import.meta.url);
const EXAMPLES = require('@octokit/webhooks-examples/api.github.com/index.json') as { name: string; examples: Json[] }[];
const examples = (name: string) => EXAMPLES.find((e) => e.name === name)?.examples ?? [];

describe('GitHub events', () => {
  test('every real push example parses: branches, tags, deletes', () => {
    const parsed = examples('push').map((p) => parseGitEvent('push', p));
    expect(parsed.length).toBeGreaterThan(3);
    const branch = parsed.find((e) => e.kind === 'push' && e.branch === 'master');
    expect(branch).toMatchObject({ repository: 'Codertocat/Hello-World', tag: null, deleted: false, sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246' });
    const deletedTag = parsed.find((e) => e.kind === 'push' && e.tag === 'simple-tag' && e.deleted);
    expect(deletedTag).toBeDefined();
  });

  test('every real pull-request example of a handled action parses; others are not handled', () => {
    for (const p of examples('pull_request')) {
      if (!isHandled('pull_request', p.action)) continue;
      expect(parseGitEvent('pull_request', p)).toMatchObject({ kind: 'pull_request', number: 2, head: 'changes', base: 'master' });
    }
    // A label can approve a fork's commit; other pull-request actions are not handled.
    expect(isHandled('pull_request', 'labeled')).toBe(true);
    expect(isHandled('pull_request', 'assigned')).toBe(false);
    expect(isHandled('issues', 'opened')).toBe(false);
    expect(isHandled('installation', 'suspend')).toBe(true);
    for (const p of [...examples('installation'), ...examples('installation_repositories')]) {
      const event = 'repositories_added' in p ? 'installation_repositories' : 'installation';
      expect(parseGitEvent(event, p)).toMatchObject({ kind: 'installation', installationId: p.installation.id });
    }
  });

  test('a payload missing what its event needs is refused; summaries never throw', () => {
    expect(() => parseGitEvent('push', { ref: 'refs/heads/main' })).toThrow();
    expect(deliverySummary(null)).toEqual({ action: null, repository: null, installationId: null, ref: null, sha: null });
    expect(deliverySummary(examples('pull_request')[0]).ref).toBe('changes');
  });
});

describe('build helpers', () => {
  test('BuildKit progress: steps and cache hits, FROM not counted', () => {
    const lines = ['#4 [1/3] FROM docker.io/berth-local/busybox:1', '#4 CACHED', '#5 [2/3] RUN echo hi', '#5 CACHED', '#6 [3/3] COPY version /www/index.html', '#6 DONE 0.1s'];
    expect(countSteps(lines)).toEqual({ steps: 2, cached: 1 });
  });

  test('URLs: credentials never shown; only transports git may use', () => {
    expect(displayUrl('https://x-access-token:ghs_abc@github.com/a/b.git')).toBe('https://github.com/a/b.git');
    expect(gitUrlProblem('file:///srv/repo')).toBeNull();
    expect(gitUrlProblem('git@github.com:acme/web.git')).toBeNull();
    expect(gitUrlProblem('ext::sh -c touch% /tmp/pwned')).toMatch(/whitespace|not allowed|not a URL/);
    expect(gitUrlProblem('fd::17')).not.toBeNull();
    expect(gitUrlProblem('https://user:pass@example.com/r.git')).toMatch(/password/);
    expect(gitUrlProblem('--upload-pack=evil')).toMatch(/start with -/);
  });

  test('preview names and domains follow the pull-request number', () => {
    expect(previewEnvironmentName(12)).toBe('pr-12');
    expect(previewDomains(['web.example.com'], 12)).toEqual(['pr-12.web.example.com']);
  });
});
