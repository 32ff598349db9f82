import { describe, expect, test } from 'vitest';
import { buildPaths } from '../../src/compose/build-paths.js';
import { checkCompose } from '../../src/compose/compile-stack.js';
import { builtServiceImageTag } from '../../src/domain/git-build.js';

const TWO = `
services:
  web:
    build:
      context: ./web
      dockerfile: Containerfile
      args: [GREETING=hi, RUN_ID]
      target: prod
    x-berth: { port: 8080 }
  cache:
    image: hello:v1
`;

const fromRepo = (compose: string, composePath = 'compose.yml', variables: Record<string, string> = {}) =>
  checkCompose({ compose, variables, allowedBindPaths: [], composePath });

function issuesOf(result: ReturnType<typeof checkCompose>) {
  if (result.ok) throw new Error('expected issues');
  return result.issues;
}

describe('build: in a compose file from the repository', () => {
  test('the long form is normalised; the image is left for the build to fill in', () => {
    const r = fromRepo(TWO, 'compose.yml', { RUN_ID: 'r1' });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.compiled.stack.services.web?.build).toEqual({ context: './web', dockerfile: 'Containerfile', args: { GREETING: 'hi', RUN_ID: 'r1' }, target: 'prod' });
    expect(r.compiled.stack.services.web?.image).toBe('');
    // Services without build: have no build key at all, so their spec hashes are as before.
    expect(r.compiled.stack.services.cache).not.toHaveProperty('build');
  });

  test('the short form is the context; the Dockerfile defaults as in Compose', () => {
    const r = fromRepo('services:\n  web:\n    build: .\n');
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.compiled.stack.services.web?.build).toEqual({ context: '.', dockerfile: 'Dockerfile', args: {}, target: null });
  });

  test('uploaded compose files still cannot build', () => {
    const found = issuesOf(checkCompose({ compose: TWO, variables: {}, allowedBindPaths: [] }));
    expect(found.find((i) => i.path === 'services.web.build')?.message).toMatch(/an uploaded compose file does not carry/);
  });

  test.each([
    ['build.context', 'build: ../', /\.\.\/ leads outside the repository/],
    ['build.context', 'build: { context: web/../../x }', /leads outside the repository/],
    ['build.context', 'build: /etc', /a directory of the repository/],
    ['build.context', 'build: https://github.com/x/y.git', /remote build contexts/],
    ['build.dockerfile', 'build: { context: ., dockerfile: ../../Dockerfile }', /leads outside the repository/],
    ['build.cache_from', 'build: { context: ., cache_from: [web:cache] }', /not supported/],
    ['image', 'build: .\n    image: berth-local/busybox:1', /Berth tags what it builds itself/],
  ])('%s is refused with the service and key', (key, line, reason) => {
    const found = issuesOf(fromRepo(`services:\n  web:\n    ${line}\n`));
    const issue = found.find((i) => i.path === `services.web.${key}`);
    expect(issue, JSON.stringify(found)).toBeDefined();
    expect(issue?.message).toMatch(/^service web: /);
    expect(issue?.message).toMatch(reason);
  });

  test('a service with neither build nor image still needs an image', () => {
    const found = issuesOf(fromRepo('services:\n  web:\n    command: ["true"]\n'));
    expect(found.map((i) => i.path)).toContain('services.web.image');
  });
});

describe('build paths', () => {
  test('the context is relative to the compose file, the Dockerfile to the context', () => {
    expect(buildPaths('deploy/compose.yml', { context: '../web', dockerfile: 'Dockerfile' })).toEqual({ context: 'web', dockerfile: 'web/Dockerfile' });
    expect(buildPaths('compose.yml', { context: '.', dockerfile: 'docker/Dockerfile.prod' })).toEqual({ context: '.', dockerfile: 'docker/Dockerfile.prod' });
    expect(buildPaths('compose.yml', { context: './web/', dockerfile: 'Dockerfile' })).toEqual({ context: 'web', dockerfile: 'web/Dockerfile' });
  });

  test('leaving the repository is refused, from a compose file in a subdirectory too', () => {
    expect(buildPaths('deploy/compose.yml', { context: '../..', dockerfile: 'Dockerfile' })).toMatchObject({ key: 'build.context' });
    expect(buildPaths('compose.yml', { context: 'web', dockerfile: '../../Dockerfile' })).toMatchObject({ key: 'build.dockerfile' });
    expect(buildPaths('compose.yml', { context: 'web', dockerfile: '/Dockerfile' })).toMatchObject({ key: 'build.dockerfile' });
    expect(buildPaths('compose.yml', { context: 'git@github.com:x/y.git', dockerfile: 'Dockerfile' })).toMatchObject({ key: 'build.context' });
  });

  test('built services are tagged by instance, app, service and commit', () => {
    expect(builtServiceImageTag('default', 'shop', 'web', 'a'.repeat(40))).toBe(`berth-default/shop/web:${'a'.repeat(40)}`);
  });
});
