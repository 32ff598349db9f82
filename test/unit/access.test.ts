// The access decisions, the sign-in throttle and the shapes of Berth's secrets, as pure logic.
import { describe, expect, test } from 'vitest';
import { actionOf, outcomeOf } from '../../api/middleware/audit-trail.js';
import { forwardedAddress } from '../../api/middleware/client-address.js';
import { allowedHosts, hostName } from '../../api/middleware/host-check.js';
import { originAllowed } from '../../api/access/csrf-check.js';
import { blockAfter, MAX_BLOCK_MS } from '../../src/auth/login-throttle.js';
import { hashPassword, verifyNoPassword, verifyPassword } from '../../src/auth/password-hash.js';
import { hashSecretToken, isSecretToken, newSecretToken, sameSecret, tokenDisplayPrefix } from '../../src/auth/secret-tokens.js';
import { decideInstance, decideProject, decideSelf, readableProjects, type Principal } from '../../src/domain/access.js';
import { decideFork, isFork } from '../../src/domain/fork-policy.js';

const user = (over: Partial<Principal> = {}): Principal => ({
  userId: 'usr_1',
  email: 'a@example.test',
  isAdmin: false,
  via: 'token',
  tokenId: 'tok_1',
  scope: 'admin',
  projectRestriction: null,
  ...over,
});

describe('project decisions', () => {
  test('each role allows its need and those below it', () => {
    const table = {
      viewer: ['read'],
      deployer: ['read', 'deploy'],
      admin: ['read', 'deploy', 'manage'],
      owner: ['read', 'deploy', 'manage', 'own'],
    } as const;
    for (const [role, allowed] of Object.entries(table)) {
      for (const need of ['read', 'deploy', 'manage', 'own'] as const) {
        expect(decideProject(user(), 'prj_a', role as keyof typeof table, need).allowed, `${role} ${need}`).toBe((allowed as readonly string[]).includes(need));
      }
    }
    expect(decideProject(user(), 'prj_a', null, 'read')).toEqual({ allowed: false, reason: 'not a member of this project' });
  });

  test('a token never does more than its scope, and a restricted one stays in its project', () => {
    expect(decideProject(user({ scope: 'read' }), 'prj_a', 'owner', 'deploy').allowed).toBe(false);
    expect(decideProject(user({ scope: 'deploy' }), 'prj_a', 'owner', 'deploy').allowed).toBe(true);
    expect(decideProject(user({ scope: 'deploy' }), 'prj_a', 'owner', 'manage').allowed).toBe(false);
    expect(decideProject(user({ isAdmin: true, projectRestriction: 'prj_b' }), 'prj_a', null, 'read').allowed).toBe(false);
    expect(decideProject(user({ isAdmin: true, projectRestriction: 'prj_a' }), 'prj_a', null, 'own').allowed).toBe(true);
    expect(decideProject(user({ isAdmin: true }), 'prj_a', null, 'own').allowed).toBe(true);
  });

  test('the installation is for unrestricted administrators; the own account for any scope that covers it', () => {
    expect(decideInstance(user(), 'read').allowed).toBe(false);
    expect(decideInstance(user({ isAdmin: true }), 'admin').allowed).toBe(true);
    expect(decideInstance(user({ isAdmin: true, scope: 'read' }), 'admin').allowed).toBe(false);
    expect(decideInstance(user({ isAdmin: true, projectRestriction: 'prj_a' }), 'read').allowed).toBe(false);
    expect(decideSelf(user({ scope: 'read' }), 'read').allowed).toBe(true);
    expect(decideSelf(user({ scope: 'deploy' }), 'admin').allowed).toBe(false);
  });

  test('readable projects: every one for administrators, memberships otherwise, the restriction when there is one', () => {
    const memberships = [{ projectId: 'prj_a', role: 'viewer' as const }];
    expect(readableProjects(user({ isAdmin: true }), [])).toBeNull();
    expect(readableProjects(user(), memberships)).toEqual(['prj_a']);
    expect(readableProjects(user({ projectRestriction: 'prj_a' }), memberships)).toEqual(['prj_a']);
    expect(readableProjects(user({ projectRestriction: 'prj_b' }), memberships)).toEqual([]);
    expect(readableProjects(user({ isAdmin: true, projectRestriction: 'prj_b' }), [])).toEqual(['prj_b']);
  });
});

describe('sign-in throttle', () => {
  test('free tries, then doubling delays up to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => blockAfter('account', n))).toEqual([0, 0, 0, 0, 0]);
    expect([6, 7, 8, 9].map((n) => blockAfter('account', n))).toEqual([1000, 2000, 4000, 8000]);
    expect(blockAfter('account', 50)).toBe(MAX_BLOCK_MS);
    expect(blockAfter('address', 20)).toBe(0);
    expect(blockAfter('address', 21)).toBe(1000);
  });

  test('an IPv6 caller is counted by its /64, an IPv4 one by its address', async () => {
    const { addressGroup, throttleKey } = await import('../../src/auth/login-throttle.js');
    expect(addressGroup('2001:db8::1')).toBe(addressGroup('2001:db8:0:0:ffff::2'));
    expect(addressGroup('2001:db8:0:1::1')).not.toBe(addressGroup('2001:db8:0:2::1'));
    expect(addressGroup('203.0.113.9')).toBe('203.0.113.9');
    expect(throttleKey('account', 'Ada@Example.com')).toBe('account:ada@example.com');
  });
});

describe('secrets', () => {
  test('tokens are random, prefixed, recognisable and stored as SHA-256', () => {
    const a = newSecretToken('api');
    expect(a).toMatch(/^berth_pat_[A-Za-z0-9_-]{43}$/);
    expect(isSecretToken('api', a)).toBe(true);
    expect(isSecretToken('session', a)).toBe(false);
    expect(isSecretToken('api', `${a}x`)).toBe(false);
    expect(newSecretToken('api')).not.toBe(a);
    expect(hashSecretToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenDisplayPrefix(a)).toBe(a.slice(0, 14));
    expect(sameSecret(a, a)).toBe(true);
    expect(sameSecret(a, newSecretToken('api'))).toBe(false);
    expect(sameSecret(a, 'short')).toBe(false);
  });

  test('passwords: scrypt with its parameters in the hash; a wrong or malformed one never matches', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
    expect(await verifyPassword('anything', 'none')).toBe(false);
    expect(await verifyPassword('anything', 'scrypt$40$8$1$c2FsdA$aGFzaA')).toBe(false);
    expect(await hashPassword('correct horse battery staple')).not.toBe(hash);
    expect(await verifyNoPassword('anything')).toBe(false);
  });
});

describe('request edges', () => {
  test('Host names: the public URL’s, loopback and configured ones', () => {
    const allowed = allowedHosts('https://berth.example.com', ['ops.example.com']);
    for (const h of ['berth.example.com', 'BERTH.example.com:443', 'localhost:7480', '127.0.0.1', '[::1]:7480', 'ops.example.com', 'berth.example.com.']) expect(allowed.has(hostName(h)), h).toBe(true);
    for (const h of ['evil.example', 'berth.example.com.evil.example', '127.0.0.2', 'localhost.evil']) expect(allowed.has(hostName(h)), h).toBe(false);
  });

  test('the forwarded address is trusted only from a trusted proxy, nearest untrusted hop first', () => {
    const trusted = new Set(['127.0.0.1', '10.0.0.2']);
    expect(forwardedAddress('203.0.113.1', '198.51.100.1', trusted)).toBe('203.0.113.1');
    expect(forwardedAddress('127.0.0.1', '198.51.100.1, 203.0.113.5', trusted)).toBe('203.0.113.5');
    expect(forwardedAddress('127.0.0.1', '198.51.100.1, 203.0.113.5, 10.0.0.2', trusted)).toBe('203.0.113.5');
    expect(forwardedAddress('127.0.0.1', undefined, trusted)).toBe('127.0.0.1');
  });

  test('origins: Berth’s public URL or the one it was reached at', () => {
    expect(originAllowed('https://berth.example.com', 'http://127.0.0.1:7480/api/v1/x', 'https://berth.example.com')).toBe(true);
    expect(originAllowed('http://127.0.0.1:7480', 'http://127.0.0.1:7480/api/v1/x', 'https://berth.example.com')).toBe(true);
    expect(originAllowed('https://evil.example', 'http://127.0.0.1:7480/api/v1/x', 'https://berth.example.com')).toBe(false);
    expect(originAllowed('null', 'http://127.0.0.1:7480/api/v1/x', 'https://berth.example.com')).toBe(false);
  });

  test('audit actions are the declared operation; outcomes by status', () => {
    expect(actionOf('POST', '/api/v1/apps/:app/environments/:env/deployments')).toBe('POST /apps/{app}/environments/{env}/deployments');
    expect([200, 202, 302, 400, 401, 403, 404, 429, 500].map(outcomeOf)).toEqual(['succeeded', 'succeeded', 'succeeded', 'rejected', 'denied', 'denied', 'rejected', 'rejected', 'failed']);
  });
});

describe('fork pull requests', () => {
  test('a fork is a head outside the base repository (or gone); its policy decides', () => {
    expect(isFork('acme/web', 'acme/web')).toBe(false);
    expect(isFork('Acme/Web', 'acme/web')).toBe(false);
    expect(isFork('mallory/web', 'acme/web')).toBe(true);
    expect(isFork(null, 'acme/web')).toBe(true);
    expect(decideFork('deny', true)).toMatchObject({ deploy: false, wait: false });
    expect(decideFork('approve', false)).toMatchObject({ deploy: false, wait: true });
    expect(decideFork('approve', true)).toEqual({ deploy: true });
    expect(decideFork('allow-without-secrets', false)).toEqual({ deploy: true });
  });
});

describe('untrusted builds', () => {
  test('every stage declares the isolating argument; heredoc bodies are untouched; comments open no heredoc', async () => {
    const { isolateDockerfile, UNTRUSTED_BUILD_ARG } = await import('../../src/domain/untrusted-dockerfile.js');
    const dockerfile = ['# see <<NOPE', 'FROM base AS build', 'RUN <<EOF', 'FROM inside a heredoc', 'EOF', 'RUN make', 'from base', 'COPY --from=build /out /out'].join('\n');
    const isolated = isolateDockerfile(dockerfile, 'dep_1', {});
    expect(isolated.text.split('\n')).toEqual([
      '# see <<NOPE',
      'FROM base AS build',
      `ARG ${UNTRUSTED_BUILD_ARG}`,
      'RUN <<EOF',
      'FROM inside a heredoc',
      'EOF',
      'RUN make',
      'from base',
      `ARG ${UNTRUSTED_BUILD_ARG}`,
      'COPY --from=build /out /out',
    ]);
    expect(isolated).toMatchObject({ references: ['base'], problems: [] });
  });

  test('cache mounts get their own id; every image it reads is listed, build arguments resolved', async () => {
    const { isolateDockerfile } = await import('../../src/domain/untrusted-dockerfile.js');
    const dockerfile = [
      'ARG BASE=berth-default/web:abc',
      'FROM ${BASE} AS one',
      'RUN --mount=type=cache,target=/root/.npm,id=npm npm ci',
      'RUN --mount=type=bind,from=other/image:1,target=/x true \\',
      '  && echo done',
      'FROM one',
      'COPY --from=registry.example/tool:2 /tool /tool',
      'COPY --from=0 /a /a',
    ].join('\n');
    const isolated = isolateDockerfile(dockerfile, 'dep_9', { UNUSED: 'x' });
    expect(isolated.text).toContain('RUN --mount=type=cache,target=/root/.npm,id=berth-untrusted-dep_9-0 npm ci');
    expect(isolated.text).not.toContain('id=npm');
    expect(isolated.references).toEqual(['berth-default/web:abc', 'other/image:1', 'registry.example/tool:2']);
    expect(isolated.problems).toEqual([]);
  });

  test('another frontend, another escape character, or a base it cannot resolve is refused', async () => {
    const { isolateDockerfile } = await import('../../src/domain/untrusted-dockerfile.js');
    expect(isolateDockerfile('# syntax=attacker/frontend\nFROM base', 'd', {}).problems[0]).toMatch(/syntax/);
    expect(isolateDockerfile('# escape=`\nFROM base', 'd', {}).problems[0]).toMatch(/escape/);
    expect(isolateDockerfile('FROM $UNKNOWN', 'd', {}).problems[0]).toMatch(/cannot resolve/);
    expect(isolateDockerfile('ARG B\nFROM $B', 'd', { B: 'given' }).references).toEqual(['given']);
  });
});
