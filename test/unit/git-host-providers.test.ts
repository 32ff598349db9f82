// The git-host boundary: each provider verifies a delivery over its raw bytes and turns it into
// Berth's events. Gitea's payloads are written in the shape its documentation and the real
// server (test/integration/gitea.test.ts) send: GitHub's, with "synchronized" and no installation.
import { describe, expect, test } from 'vitest';
import { hmacSha256 } from '../../src/git-hosts/hmac.js';
import { providerFor } from '../../src/git-hosts/providers.js';
import { signStandard, TIMESTAMP_TOLERANCE_SECONDS, verifyStandard } from '../../src/git-hosts/generic/standard-webhooks.js';

const SECRET = 'a-webhook-secret-of-some-length';
const headers = (h: Record<string, string>) => (name: string) => h[name];
const bytes = (text: string) => new TextEncoder().encode(text);

const GITEA_PUSH = {
  ref: 'refs/heads/main',
  before: '0'.repeat(40),
  after: 'b'.repeat(40),
  compare_url: 'http://gitea.example/berth/web/compare/000...bbb',
  commits: [{ id: 'b'.repeat(40), message: 'change\n', added: ['a.txt'], removed: [], modified: ['version'] }],
  head_commit: { id: 'b'.repeat(40), message: 'change\n' },
  repository: { id: 1, full_name: 'berth/web', clone_url: 'http://gitea.example/berth/web.git', default_branch: 'main' },
  pusher: { login: 'berth' },
  sender: { login: 'berth' },
};

const giteaPullRequest = (action: string, headRepo = 'berth/web') => ({
  action,
  number: 3,
  pull_request: {
    id: 9,
    number: 3,
    state: action === 'closed' ? 'closed' : 'open',
    head: { label: 'feature', ref: 'feature', sha: 'c'.repeat(40), repo: { full_name: headRepo } },
    base: { label: 'main', ref: 'main', sha: 'b'.repeat(40), repo: { full_name: 'berth/web' } },
    merged: false,
  },
  repository: { full_name: 'berth/web' },
  sender: { login: 'someone' },
});

describe('Gitea and Forgejo', () => {
  const gitea = providerFor('gitea');

  test('the signature is HMAC-SHA256 of the raw body, hex, in X-Gitea-Signature or X-Forgejo-Signature', () => {
    const raw = bytes(JSON.stringify(GITEA_PUSH));
    const good = hmacSha256(SECRET, raw).toString('hex');
    expect(gitea.verify(raw, headers({ 'x-gitea-signature': good }), SECRET)).toBe('ok');
    expect(providerFor('forgejo').verify(raw, headers({ 'x-forgejo-signature': good }), SECRET)).toBe('ok');
    expect(gitea.verify(raw, headers({}), SECRET)).toBe('missing');
    expect(gitea.verify(raw, headers({ 'x-gitea-signature': hmacSha256('other', raw).toString('hex') }), SECRET)).toBe('mismatch');
    expect(gitea.verify(raw, headers({ 'x-gitea-signature': `sha256=${good}` }), SECRET)).toBe('mismatch');
    expect(gitea.verify(raw, headers({ 'x-gitea-signature': good.slice(0, 63) }), SECRET)).toBe('mismatch');
    // One byte more (a space the host never sent) is another body.
    expect(gitea.verify(bytes(`${JSON.stringify(GITEA_PUSH)} `), headers({ 'x-gitea-signature': good }), SECRET)).toBe('mismatch');
  });

  test('delivery ids and event names are taken only when well-formed', () => {
    expect(gitea.deliveryId(headers({ 'x-gitea-delivery': '6f1c1e86-6d1a-4b51-8e8c-1f1f1f1f1f1f' }))).toBe('6f1c1e86-6d1a-4b51-8e8c-1f1f1f1f1f1f');
    expect(gitea.deliveryId(headers({ 'x-gitea-delivery': '../../x' }))).toBeNull();
    expect(gitea.eventName(headers({ 'x-forgejo-event': 'push' }))).toBe('push');
    expect(gitea.eventName(headers({ 'x-gitea-event': 'Push; drop' }))).toBeNull();
  });

  test('a push parses into a push event', () => {
    const names = gitea.classify('push', GITEA_PUSH);
    expect(names).toEqual({ event: 'push', action: null });
    expect(gitea.parse(names as NonNullable<typeof names>, GITEA_PUSH)).toMatchObject({
      kind: 'push',
      repository: 'berth/web',
      installationId: null,
      branch: 'main',
      tag: null,
      sha: 'b'.repeat(40),
      deleted: false,
      changedPaths: ['a.txt', 'version'],
    });
    const tag = { ...GITEA_PUSH, ref: 'refs/tags/v1.0.0' };
    expect(gitea.parse({ event: 'push', action: null }, tag)).toMatchObject({ kind: 'push', branch: null, tag: 'v1.0.0' });
  });

  test('pull requests: opened, synchronized (new commits), reopened, closed; forks are told apart; other actions ignored', () => {
    for (const [action, berthAction] of [
      ['opened', 'opened'],
      ['synchronized', 'synchronize'],
      ['reopened', 'reopened'],
      ['closed', 'closed'],
    ]) {
      const payload = giteaPullRequest(action as string);
      const names = gitea.classify('pull_request', payload);
      expect(names).toEqual({ event: 'pull_request', action: berthAction });
      expect(gitea.parse(names as NonNullable<typeof names>, payload)).toMatchObject({ kind: 'pull_request', action: berthAction, number: 3, head: 'feature', base: 'main', headSha: 'c'.repeat(40), fork: false, installationId: null });
    }
    const fork = giteaPullRequest('opened', 'stranger/web');
    expect(gitea.parse({ event: 'pull_request', action: 'opened' }, fork)).toMatchObject({ fork: true, headRepository: 'stranger/web' });
    expect(gitea.classify('pull_request', giteaPullRequest('edited'))).toBeNull();
    expect(gitea.classify('issues', { action: 'opened' })).toBeNull();
    expect(() => gitea.parse({ event: 'push', action: null }, { ref: 'refs/heads/main' })).toThrow();
  });
});

describe('GitHub behind the same boundary', () => {
  const github = providerFor('github');
  test('X-Hub-Signature-256 is sha256=<hex HMAC> of the raw body', () => {
    const raw = bytes('{"zen":"Keep it logically awesome."}');
    const good = `sha256=${hmacSha256(SECRET, raw).toString('hex')}`;
    expect(github.verify(raw, headers({ 'x-hub-signature-256': good }), SECRET)).toBe('ok');
    expect(github.verify(raw, headers({ 'x-hub-signature-256': good.replace('sha256=', '') }), SECRET)).toBe('mismatch');
    expect(github.verify(raw, headers({}), SECRET)).toBe('missing');
    expect(github.classify('ping', {})).toEqual({ event: 'ping', action: null });
    expect(github.classify('pull_request', { action: 'synchronize' })).toEqual({ event: 'pull_request', action: 'synchronize' });
    expect(github.classify('pull_request', { action: 'assigned' })).toBeNull();
  });
});

describe('Standard Webhooks (generic webhooks)', () => {
  // The example of the specification (standardwebhooks.com).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';

  test("the specification's example signature", () => {
    expect(signStandard(secret, id, timestamp, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  test('verified within the window, refused outside it, with another secret, or without headers', () => {
    const h = (sig: string, ts = timestamp) => headers({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sig });
    const good = signStandard(secret, id, timestamp, body);
    expect(verifyStandard(bytes(body), h(good), secret, timestamp + 10)).toEqual({ ok: true, id });
    // Several signatures (a rotation): any that matches.
    expect(verifyStandard(bytes(body), h(`v1,AAAA ${good}`), secret, timestamp)).toEqual({ ok: true, id });
    expect(verifyStandard(bytes(body), h(good), secret, timestamp + TIMESTAMP_TOLERANCE_SECONDS + 1)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyStandard(bytes(body), h(good), 'whsec_' + Buffer.from('another').toString('base64'), timestamp)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyStandard(bytes(`${body} `), h(good), secret, timestamp)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyStandard(bytes(body), h(good.replace('v1,', 'v2,')), secret, timestamp)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyStandard(bytes(body), headers({}), secret, timestamp)).toEqual({ ok: false, reason: 'missing' });
  });
});

describe('GitLab', () => {
  const gitlab = providerFor('gitlab');
  const project = { path_with_namespace: 'group/web' };
  // Shapes from GitLab's webhook events documentation.
  const push = { object_kind: 'push', before: 'a'.repeat(40), after: 'b'.repeat(40), ref: 'refs/heads/main', project, commits: [{ added: ['x'], modified: ['y'], removed: [] }], repository: { name: 'web' } };
  const mr = (action: string, extra = {}) => ({
    object_kind: 'merge_request',
    project,
    object_attributes: { iid: 5, action, source_branch: 'feat', target_branch: 'main', last_commit: { id: 'c'.repeat(40) }, source: { path_with_namespace: 'someone/web' }, target: project, ...extra },
  });

  test('X-Gitlab-Token in constant time, or the signed-webhook headers', () => {
    const raw = bytes(JSON.stringify(push));
    expect(gitlab.verify(raw, headers({ 'x-gitlab-token': SECRET }), SECRET)).toBe('ok');
    expect(gitlab.verify(raw, headers({ 'x-gitlab-token': `${SECRET}!` }), SECRET)).toBe('mismatch');
    expect(gitlab.verify(raw, headers({}), SECRET)).toBe('missing');
    const now = Math.floor(Date.now() / 1000);
    const signed = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': signStandard(SECRET, 'msg_1', now, raw) };
    expect(gitlab.verify(raw, headers(signed), SECRET)).toBe('ok');
    expect(gitlab.verify(raw, headers({ ...signed, 'webhook-timestamp': String(now - 3600) }), SECRET)).toBe('stale');
    expect(gitlab.verify(raw, headers({ ...signed, 'webhook-signature': signStandard('whsec_b3RoZXI=', 'msg_1', now, raw) }), SECRET)).toBe('mismatch');
    const stale = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now - 3600), 'webhook-signature': signStandard(SECRET, 'msg_1', now - 3600, raw) };
    expect(gitlab.verify(raw, headers({ ...stale, 'x-gitlab-token': SECRET }), SECRET)).toBe('stale');
  });

  test('push, tag push and merge requests become Berth events; edits without commits are ignored', () => {
    expect(gitlab.eventName(headers({ 'x-gitlab-event': 'Push Hook' }))).toBe('Push Hook');
    expect(gitlab.eventName(headers({ 'x-gitlab-event': 'Pipeline Hook' }))).toBeNull();
    expect(gitlab.parse({ event: 'push', action: null }, push)).toMatchObject({ kind: 'push', repository: 'group/web', branch: 'main', sha: 'b'.repeat(40), changedPaths: ['x', 'y'] });
    const tag = { ...push, object_kind: 'tag_push', ref: 'refs/tags/v2' };
    expect(gitlab.classify('Tag Push Hook', tag)).toEqual({ event: 'push', action: null });
    expect(gitlab.parse({ event: 'push', action: null }, tag)).toMatchObject({ tag: 'v2', branch: null });
    for (const [action, berth, extra] of [
      ['open', 'opened', {}],
      ['reopen', 'reopened', {}],
      ['update', 'synchronize', { oldrev: 'a'.repeat(40) }],
      ['close', 'closed', {}],
      ['merge', 'closed', {}],
    ] as const) {
      const names = gitlab.classify('Merge Request Hook', mr(action, extra));
      expect(names).toEqual({ event: 'pull_request', action: berth });
      expect(gitlab.parse(names as NonNullable<typeof names>, mr(action, extra))).toMatchObject({ kind: 'pull_request', number: 5, head: 'feat', base: 'main', headSha: 'c'.repeat(40), fork: true, headRepository: 'someone/web' });
    }
    expect(gitlab.classify('Merge Request Hook', mr('update'))).toBeNull();
    expect(gitlab.classify('Merge Request Hook', mr('approved'))).toBeNull();
  });
});
