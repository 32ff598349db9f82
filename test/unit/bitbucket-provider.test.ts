// Bitbucket Cloud deliveries read by the provider (src/git-hosts/bitbucket/provider.ts). The
// payloads follow Bitbucket's "Event payloads" page: repo:push with its changes (new/old refs,
// null when created or deleted), pullrequest:* with source and destination (abbreviated hashes).
import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { providerFor } from '../../src/git-hosts/providers.js';

const SECRET = 'a-bitbucket-webhook-secret';
const bitbucket = providerFor('bitbucket');
const headers = (h: Record<string, string>) => (name: string) => h[name];
const bytes = (text: string) => new TextEncoder().encode(text);
const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

const repository = {
  type: 'repository',
  full_name: 'team_name/repo_name',
  name: 'repo_name',
  uuid: '{2b5a57c4-9c4f-4b8a-9f6a-0c51a6a06e26}',
  links: { self: { href: 'https://api.bitbucket.org/2.0/repositories/team_name/repo_name' }, html: { href: 'https://bitbucket.org/team_name/repo_name' } },
  scm: 'git',
  is_private: true,
};
const actor = { type: 'user', display_name: 'Emma', uuid: '{a54f16da-24e9-4d7f-a3a7-b1ba2cd98aa3}', nickname: 'emmap1' };
const target = (hash: string) => ({ type: 'commit', hash, author: { raw: 'Emma <emma@example.com>' }, message: 'new commit message\n', date: '2015-06-09T03:34:49+00:00', parents: [] });

const PUSH = {
  actor,
  repository,
  push: {
    changes: [
      {
        new: { type: 'branch', name: 'name-of-branch', target: target('709d658dc5b6d6afcd46049c2f332ee3f515a67d') },
        old: { type: 'branch', name: 'name-of-branch', target: target('1e65c05c1d5171631d92438a13901ca7dae9618c') },
        links: {},
        created: false,
        forced: false,
        closed: false,
        commits: [target('709d658dc5b6d6afcd46049c2f332ee3f515a67d')],
        truncated: false,
      },
    ],
  },
};

const pullRequest = (sourceRepo = repository) => ({
  actor,
  repository,
  pullrequest: {
    id: 12,
    title: 'Title of pull request',
    state: 'OPEN',
    author: actor,
    source: { branch: { name: 'branch2' }, commit: { hash: 'd3022fc0ca3d' }, repository: sourceRepo },
    destination: { branch: { name: 'master' }, commit: { hash: 'ce5965ddd289' }, repository },
    merge_commit: null,
    participants: [],
    reviewers: [],
    close_source_branch: true,
    reason: '',
    created_on: '2015-04-06T15:23:38.179678+00:00',
    updated_on: '2015-04-06T15:23:38.205705+00:00',
  },
});

describe('Bitbucket Cloud', () => {
  test('X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>, compared in constant time', () => {
    const body = JSON.stringify(PUSH);
    expect(bitbucket.verify(bytes(body), headers({ 'x-hub-signature': sign(body) }), SECRET)).toBe('ok');
    expect(bitbucket.verify(bytes(body), headers({}), SECRET)).toBe('missing');
    expect(bitbucket.verify(bytes(body), headers({ 'x-hub-signature': sign(body, 'another-secret') }), SECRET)).toBe('mismatch');
    expect(bitbucket.verify(bytes(body), headers({ 'x-hub-signature': sign(body).slice('sha256='.length) }), SECRET)).toBe('mismatch');
    expect(bitbucket.verify(bytes(`${body}\n`), headers({ 'x-hub-signature': sign(body) }), SECRET)).toBe('mismatch');
  });

  test('the delivery id is X-Request-UUID (braces or not); the event X-Event-Key, when well-formed', () => {
    expect(bitbucket.deliveryId(headers({ 'x-request-uuid': '8cd4a0e1-4a09-4b1e-9b5e-6c2f7f3f0f1a' }))).toBe('8cd4a0e1-4a09-4b1e-9b5e-6c2f7f3f0f1a');
    expect(bitbucket.deliveryId(headers({ 'x-request-uuid': '{8cd4a0e1-4a09-4b1e-9b5e-6c2f7f3f0f1a}' }))).toBe('8cd4a0e1-4a09-4b1e-9b5e-6c2f7f3f0f1a');
    expect(bitbucket.deliveryId(headers({ 'x-request-uuid': '../x' }))).toBeNull();
    expect(bitbucket.deliveryId(headers({}))).toBeNull();
    expect(bitbucket.eventName(headers({ 'x-event-key': 'repo:push' }))).toBe('repo:push');
    expect(bitbucket.eventName(headers({ 'x-event-key': 'repo push' }))).toBeNull();
  });

  test('repo:push: branch, tag, created and deleted refs; no file list (path filters cannot decide)', () => {
    const names = bitbucket.classify('repo:push', PUSH);
    expect(names).toEqual({ event: 'push', action: null });
    const push = { event: 'push' as const, action: null };
    expect(bitbucket.parse(push, PUSH)).toEqual({
      kind: 'push',
      repository: 'team_name/repo_name',
      installationId: null,
      branch: 'name-of-branch',
      tag: null,
      sha: '709d658dc5b6d6afcd46049c2f332ee3f515a67d',
      deleted: false,
      changedPaths: null,
      message: 'new commit message\n',
    });
    const change = PUSH.push.changes[0] as (typeof PUSH.push.changes)[number];
    const tag = { ...PUSH, push: { changes: [{ ...change, new: { ...change.new, type: 'tag', name: 'v1.2.0' }, old: null, created: true }] } };
    expect(bitbucket.parse(push, tag)).toMatchObject({ branch: null, tag: 'v1.2.0', deleted: false });
    const deleted = { ...PUSH, push: { changes: [{ ...change, new: null, closed: true }] } };
    expect(bitbucket.parse(push, deleted)).toMatchObject({ branch: 'name-of-branch', deleted: true, sha: '0'.repeat(40) });
    expect(() => bitbucket.parse(push, { repository, push: { changes: [] } })).toThrow();
  });

  test('a push of several refs is split into one payload per change', () => {
    const change = PUSH.push.changes[0] as (typeof PUSH.push.changes)[number];
    const two = { ...PUSH, push: { changes: [change, { ...change, new: { ...change.new, type: 'tag', name: 'v2' } }] } };
    const parts = bitbucket.split?.({ event: 'push', action: null }, two) ?? [];
    expect(parts).toHaveLength(2);
    expect(parts.map((p) => bitbucket.parse({ event: 'push', action: null }, p))).toMatchObject([{ branch: 'name-of-branch' }, { tag: 'v2' }]);
    expect(bitbucket.split?.({ event: 'push', action: null }, PUSH)).toEqual([PUSH]);
  });

  test('pull requests: created, updated, fulfilled and rejected; a fork is told apart; other events ignored', () => {
    expect(bitbucket.classify('pullrequest:created', pullRequest())).toEqual({ event: 'pull_request', action: 'opened' });
    expect(bitbucket.classify('pullrequest:updated', pullRequest())).toEqual({ event: 'pull_request', action: 'synchronize' });
    expect(bitbucket.classify('pullrequest:fulfilled', pullRequest())).toEqual({ event: 'pull_request', action: 'closed' });
    expect(bitbucket.classify('pullrequest:rejected', pullRequest())).toEqual({ event: 'pull_request', action: 'closed' });
    for (const ignored of ['pullrequest:approved', 'pullrequest:comment_created', 'repo:fork', 'repo:updated', 'issue:created']) expect(bitbucket.classify(ignored, pullRequest())).toBeNull();
    expect(bitbucket.parse({ event: 'pull_request', action: 'opened' }, pullRequest())).toEqual({
      kind: 'pull_request',
      action: 'opened',
      repository: 'team_name/repo_name',
      installationId: null,
      number: 12,
      head: 'branch2',
      headSha: 'd3022fc0ca3d',
      base: 'master',
      headRepository: 'team_name/repo_name',
      fork: false,
      label: null,
      sender: 'emmap1',
    });
    const fork = bitbucket.parse({ event: 'pull_request', action: 'opened' }, pullRequest({ ...repository, full_name: 'someone/repo_name' }));
    expect(fork).toMatchObject({ fork: true, headRepository: 'someone/repo_name' });
    expect(() => bitbucket.parse({ event: 'pull_request', action: 'opened' }, { repository, pullrequest: { id: 1 } })).toThrow();
  });
});

describe('Bitbucket API addresses and credentials', () => {
  test('bitbucket.org is reached at api.bitbucket.org/2.0; any other address serves /2.0 itself', async () => {
    const { bitbucketApiRoot } = await import('../../activities/git-hosts/bitbucket/bitbucket-api.js');
    expect(bitbucketApiRoot('https://bitbucket.org')).toBe('https://api.bitbucket.org/2.0');
    expect(bitbucketApiRoot('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/2.0');
  });

  test('an access token is a bearer token (git: x-token-auth); user:app password is basic for both', async () => {
    const { bitbucketAuthorization } = await import('../../activities/git-hosts/bitbucket/bitbucket-api.js');
    expect(bitbucketAuthorization('ATCTT3xToken')).toEqual({ api: 'Bearer ATCTT3xToken', git: `Basic ${Buffer.from('x-token-auth:ATCTT3xToken').toString('base64')}` });
    const basic = `Basic ${Buffer.from('emma:app-password').toString('base64')}`;
    expect(bitbucketAuthorization('emma:app-password')).toEqual({ api: basic, git: basic });
  });
});
