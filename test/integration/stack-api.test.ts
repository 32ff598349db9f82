// Stack apps through the API, against the real database and Temporal server: compose files are
// validated on upload and at deploy (each refusal a 400 naming the service, the key and the
// reason, with nothing changed; the names of blue-green previews included); interpolation and the
// environment override show in the dry run, with the rollout order and the routes it would create.
import { snapshot as rowsAndWorkflows } from '../support/snapshot.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createStackApp, THREE_SERVICES, type StackFixture } from '../support/stack-fixtures.js';

let berth: TestBerth;
let fx: StackFixture;

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  fx = await createStackApp(berth, { app: 'shop', compose: THREE_SERVICES });
});

afterAll(async () => {
  await berth?.close();
});

async function snapshot() {
  const compose = (await berth.api('GET', '/api/v1/apps/shop/compose')).body.compose;
  return { ...(await rowsAndWorkflows(berth)), compose };
}

const withService = (lines: string) => `services:\n  bad:\n    image: hello:1\n${lines
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}\n`;

describe('stack apps through the API', () => {
  test.each([
    ['privileged', 'privileged: true', /service bad: privileged: refused for safety/],
    ['network_mode', 'network_mode: host', /service bad: network_mode: refused for safety: host networking/],
    ['volumes.0', 'volumes: ["/etc:/etc"]', /service bad: volumes.0: refused for safety: bind mount of \/etc is outside the allowed paths/],
    ['devices', 'devices: ["/dev/kmsg:/dev/kmsg"]', /service bad: devices: refused for safety: gives the container host devices/],
    ['ports.0', 'ports: ["53:53/udp"]', /service bad: ports.0: UDP port 53 would need a published host port/],
    ['cap_add', 'cap_add: [NET_ADMIN]', /service bad: cap_add: refused for safety/],
    ['depends_on.ghost', 'depends_on: [ghost]', /unknown service ghost/],
    ['networks.elsewhere', 'networks: [elsewhere]', /network elsewhere is not declared/],
    ['secrets.0', 'secrets: [missing]', /secret missing is not declared/],
    ['nonsense', 'nonsense: 1', /not a key of the compose specification/],
  ])('PUT compose with %s: 400 naming service, key and reason; nothing changes', async (key, line, reason) => {
    const before = await snapshot();
    const res = await berth.api('PUT', '/api/v1/apps/shop/compose', { compose: withService(line) });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.type).toBe('ValidationFailed');
    const issue = res.body.error.issues.find((i: { path: string }) => i.path === `services.bad.${key}`);
    expect(issue, JSON.stringify(res.body.error.issues)).toBeDefined();
    expect(issue.message).toMatch(reason);
    expect(res.body.error.message).toMatch(reason);
    expect(await snapshot()).toEqual(before);
  });

  test('a cycle, YAML errors and oversized files are 400s too', async () => {
    const cycle = await berth.api('PUT', '/api/v1/apps/shop/compose', {
      compose: 'services:\n  a: { image: x, depends_on: [b] }\n  b: { image: x, depends_on: [a] }\n',
    });
    expect(cycle.status).toBe(400);
    expect(cycle.body.error.message).toMatch(/depends_on cycle: a → b → a/);
    const yaml = await berth.api('PUT', '/api/v1/apps/shop/compose', { compose: 'services:\n  a: [' });
    expect(yaml.status).toBe(400);
    expect(yaml.body.error.message).toMatch(/YAML/);
    const big = await berth.api('PUT', '/api/v1/apps/shop/compose', { compose: `# ${'x'.repeat(300 * 1024)}\nservices: {}` });
    expect(big.status).toBe(400);
  });

  test('an exposed service named next, or <x>-next beside an exposed x, is a 400 on create and update; nothing changes', async () => {
    const before = await snapshot();
    const exposed = (name: string) => `  ${name}:\n    image: hello:1\n    x-berth: { port: 8080 }\n`;
    const cases = [
      { compose: `services:\n${exposed('web')}${exposed('next')}`, path: 'services.next', reason: /service next: an exposed service cannot be named next: next\.<host> is where the main service's blue-green release answers before its switch/ },
      { compose: `services:\n${exposed('web')}${exposed('web-next')}`, path: 'services.web-next', reason: /service web-next: an exposed service cannot be named web-next beside the exposed service web: its route would be web's blue-green preview route/ },
    ];
    for (const { compose, path, reason } of cases) {
      for (const res of [
        await berth.api('PUT', '/api/v1/apps/shop/compose', { compose }),
        await berth.api('POST', '/api/v1/apps', { project: 'p-shop', name: 'clash', kind: 'stack', compose }),
      ]) {
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(res.body.error.type).toBe('ValidationFailed');
        expect(res.body.error.issues).toEqual([{ path, message: expect.stringMatching(reason) }]);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  test('creating a stack app validates its compose file; kinds and compose files must match', async () => {
    const before = await snapshot();
    const privileged = await berth.api('POST', '/api/v1/apps', { project: 'p-shop', name: 'evil', kind: 'stack', compose: withService('privileged: true') });
    expect(privileged.status).toBe(400);
    expect(privileged.body.error.issues[0].path).toBe('services.bad.privileged');
    const missing = await berth.api('POST', '/api/v1/apps', { project: 'p-shop', name: 'empty', kind: 'stack' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.issues[0].path).toBe('compose');
    const mixed = await berth.api('POST', '/api/v1/apps', { project: 'p-shop', name: 'mixed', kind: 'image', compose: THREE_SERVICES });
    expect(mixed.status).toBe(400);
    const kind = await berth.api('POST', '/api/v1/apps', { project: 'p-shop', name: 'other', kind: 'swarm' });
    expect(kind.status).toBe(400);
    expect(kind.body.error.issues[0].path).toBe('kind');
    expect(await snapshot()).toEqual(before);
  });

  test('a deploy with a required variable missing is refused before anything runs', async () => {
    const before = await snapshot();
    const res = await berth.api('POST', `${fx.base}/deployments`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.issues).toContainEqual({ path: 'services.web.image', message: 'required variable WEB_IMAGE is missing: set WEB_IMAGE' });
    const image = await berth.api('POST', `${fx.base}/deployments`, { image: 'hello:1' });
    expect(image.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  test('the dry run shows interpolation and the override: normalised services, rollout order, routes', async () => {
    await berth.api('PUT', `${fx.base}/variables`, {
      variables: { WEB_IMAGE: 'hello:web', API_IMAGE: 'hello:api', STORE_IMAGE: 'hello:store', STORE_TOKEN: 'hunter2', LEVEL: 'debug' },
    });
    const override = await berth.api('PUT', `${fx.base}/compose-override`, {
      compose: 'services:\n  api:\n    environment: { LOG_LEVEL: "${LEVEL:-info}", LITERAL: "$$HOME" }\n    deploy: { replicas: 2 }\n',
    });
    expect(override.status, JSON.stringify(override.body)).toBe(200);
    const res = await berth.api('POST', `${fx.base}/stack/dry-run`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.rolloutOrder).toEqual([['store'], ['api'], ['web']]);
    expect(res.body.routes).toEqual([{ service: 'web', hosts: ['shop.prod.localhost', 'web.shop.prod.localhost'], port: 8080, healthPath: '/healthz' }]);
    expect(res.body.services.web.image).toBe('hello:web');
    expect(res.body.services.api.replicas).toBe(2);
    expect(Object.keys(res.body.services.api.environment).sort()).toEqual(['LITERAL', 'LOG_LEVEL']);
    // Values never leave through the API.
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(JSON.stringify(res.body)).not.toContain('debug');
    expect(res.body.volumes).toEqual(['data']);
    expect(res.body.secrets).toEqual(['token']);

    const badOverride = await berth.api('PUT', `${fx.base}/compose-override`, { compose: 'services:\n  api:\n    privileged: true\n' });
    expect(badOverride.status).toBe(400);
    expect(badOverride.body.error.issues[0].path).toBe('services.api.privileged');
    const removed = await berth.api('PUT', `${fx.base}/compose-override`, { compose: null });
    expect(removed.status).toBe(200);
    expect((await berth.api('POST', `${fx.base}/stack/dry-run`)).body.services.api.replicas).toBe(1);
  });

  test('a secret variable shows in the dry run as a placeholder, wherever the compose file puts it', async () => {
    await berth.api('PUT', `${fx.base}/variables`, {
      variables: { WEB_IMAGE: 'hello:web', API_IMAGE: 'hello:api', STORE_IMAGE: 'hello:store', STORE_TOKEN: 'token-value', PASSWORD: 'sekrit-in-command' },
      secret: ['PASSWORD'],
    });
    await berth.api('PUT', `${fx.base}/compose-override`, {
      compose: 'services:\n  api:\n    command: ["serve", "--password", "${PASSWORD}"]\n    labels: { pw: "${PASSWORD}" }\n',
    });
    const res = await berth.api('POST', `${fx.base}/stack/dry-run`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.services.api.command).toEqual(['serve', '--password', '[secret]']);
    expect(JSON.stringify(res.body)).not.toContain('sekrit-in-command');
    await berth.api('PUT', `${fx.base}/compose-override`, { compose: null });
  });

  test('stack endpoints refuse image apps; the OpenAPI document describes them', async () => {
    await berth.api('POST', '/api/v1/apps', { project: 'p-shop', name: 'plain', image: 'hello:1' });
    expect((await berth.api('PUT', '/api/v1/apps/plain/compose', { compose: THREE_SERVICES })).status).toBe(400);
    const doc = await berth.api('GET', '/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/apps/{app}/compose', '/apps/{app}/environments/{env}/stack/dry-run', '/apps/{app}/environments/{env}/stack']));
  });
});
