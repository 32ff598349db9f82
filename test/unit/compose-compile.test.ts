import { describe, expect, test } from 'vitest';
import { checkCompose, compileStack } from '../../src/compose/compile-stack.js';
import { parseBytes, parseDuration, splitCommand } from '../../src/compose/compose-values.js';
import { planStack, rolloutLevels } from '../../src/domain/stack.js';

const THREE = `
services:
  web:
    image: hello:v1
    depends_on: [api]
    x-berth: { port: 8080, path: /healthz }
  api:
    image: hello:\${API_TAG:-v1}
    environment:
      - STORE_URL=http://store:8080
      - MODE
    depends_on:
      store: { condition: service_healthy }
  store:
    image: hello:v1
    healthcheck:
      test: wget -q -O- http://127.0.0.1:8080/healthz
      interval: 500ms
      retries: 5
    volumes: [data:/data]
volumes:
  data: {}
`;

const compile = (compose: string, variables: Record<string, string> = {}, override?: string) =>
  checkCompose({ compose, override, variables, allowedBindPaths: ['/srv/berth'] });

function issues(compose: string, variables: Record<string, string> = {}) {
  const r = compile(compose, variables);
  if (r.ok) throw new Error('expected issues');
  return r.issues;
}

describe('compiling a compose file', () => {
  test('a three-service stack: normalised, levels in dependency order, the one exposed service is main', () => {
    const { stack, plan } = compileStack({ compose: THREE, variables: { MODE: 'fast' }, allowedBindPaths: [] });
    expect(plan.levels).toEqual([['store'], ['api'], ['web']]);
    expect(stack.services.api?.image).toBe('hello:v1');
    expect(stack.services.api?.environment).toEqual({ STORE_URL: 'http://store:8080', MODE: 'fast' });
    expect(stack.services.store?.healthcheck).toEqual({ test: ['CMD-SHELL', 'wget -q -O- http://127.0.0.1:8080/healthz'], intervalMs: 500, timeoutMs: 30000, retries: 5, startPeriodMs: 0 });
    expect(stack.services.store?.mounts).toEqual([{ type: 'volume', source: 'data', target: '/data', readOnly: false }]);
    expect(stack.services.web?.expose).toEqual({ port: 8080, path: '/healthz', main: true });
    expect(stack.services.web?.networks).toEqual([{ name: 'default', aliases: ['web'] }]);
    expect(stack.services.web?.updateOrder).toBe('start-first');
    expect(Object.keys(stack.networks)).toEqual(['default']);
    expect(plan.services.api?.dependsOn).toEqual([{ service: 'store', condition: 'service_healthy' }]);
  });

  test('variables and the environment override change the result', () => {
    const override = `
services:
  api:
    environment: { MODE: slow }
    deploy: { replicas: "\${API_REPLICAS}" }
`;
    const r = compile(THREE, { API_TAG: 'v2', MODE: 'fast', API_REPLICAS: '3' }, override);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.compiled.stack.services.api?.image).toBe('hello:v2');
    expect(r.compiled.stack.services.api?.environment).toEqual({ STORE_URL: 'http://store:8080', MODE: 'slow' });
    expect(r.compiled.stack.services.api?.replicas).toBe(3);
  });

  test.each([
    ['privileged', 'privileged: true', /refused for safety: a privileged container/],
    ['network_mode', 'network_mode: host', /host networking/],
    ['devices', 'devices: ["/dev/sda:/dev/sda"]', /host devices/],
    ['cap_add', 'cap_add: [SYS_ADMIN]', /kernel capabilities/],
    ['pid', 'pid: host', /host process namespace/],
    ['ports.0', 'ports: ["53:53/udp"]', /UDP port 53 would need a published host port/],
    ['volumes.0', 'volumes: ["/etc:/host-etc"]', /bind mount of \/etc is outside the allowed paths/],
    ['volumes.0', 'volumes: ["/var/run/docker.sock:/var/run/docker.sock"]', /outside the allowed paths/],
    ['volumes.0', 'volumes: ["/srv/berth/../../etc:/x"]', /outside the allowed paths/],
    ['healthcheck.interval', 'healthcheck: { test: [CMD, "true"], interval: soon }', /./],
  ])('%s is refused with the service, key and reason', (key, line, reason) => {
    const found = issues(`services:\n  bad:\n    image: x\n    ${line}\n`);
    const issue = found.find((i) => i.path === `services.bad.${key}`);
    expect(issue, JSON.stringify(found)).toBeDefined();
    expect(issue?.message).toMatch(reason);
  });

  test('a bind mount inside the allowed paths is fine', () => {
    expect(compile('services:\n  ok:\n    image: x\n    volumes: ["/srv/berth/data:/data:ro"]\n').ok).toBe(true);
  });

  test('semantic errors: cycles, unknown services, networks, volumes, secrets; conditions that cannot hold', () => {
    const found = issues(`
services:
  a: { image: x, depends_on: [b] }
  b: { image: x, depends_on: [c] }
  c: { image: x, depends_on: [a] }
  d: { image: x, depends_on: [ghost], networks: [nowhere], volumes: ["missing:/m"], secrets: [nope] }
  e:
    image: x
    depends_on:
      f: { condition: service_healthy }
      g: { condition: service_completed_successfully }
  f: { image: x }
  g: { image: x }
`);
    const byPath = Object.fromEntries(found.map((i) => [i.path, i.message]));
    expect(byPath['services.a.depends_on']).toMatch(/depends_on cycle: a → b → c → a/);
    expect(byPath['services.d.depends_on.ghost']).toMatch(/unknown service ghost/);
    expect(byPath['services.d.networks.nowhere']).toMatch(/network nowhere is not declared/);
    expect(byPath['services.d.volumes.0']).toMatch(/volume missing is not declared/);
    expect(byPath['services.d.secrets.0']).toMatch(/secret nope is not declared/);
    expect(byPath['services.e.depends_on.f']).toMatch(/no healthcheck/);
    expect(byPath['services.e.depends_on.g']).toMatch(/never completes/);
  });

  test('an exposed service named next, or <x>-next beside an exposed x, is refused: those are the blue-green previews’ names', () => {
    const exposed = (name: string) => `  ${name}:\n    image: x\n    x-berth: { port: 8080 }\n`;
    const worker = (name: string) => `  ${name}:\n    image: x\n`;
    const byPath = (compose: string) => Object.fromEntries(issues(compose).map((i) => [i.path, i.message]));
    expect(byPath(`services:\n${exposed('web')}${exposed('next')}`)['services.next']).toMatch(/^service next: an exposed service cannot be named next: next\.<host> is where the main service's blue-green release answers/);
    // Alone, it would be main and its own preview host name.
    expect(byPath(`services:\n${exposed('next')}`)['services.next']).toMatch(/cannot be named next/);
    expect(byPath(`services:\n${exposed('web')}${exposed('web-next')}`)['services.web-next']).toMatch(
      /^service web-next: an exposed service cannot be named web-next beside the exposed service web: its route would be web's blue-green preview route/,
    );
    // Names that share nothing with a preview are fine: not exposed, no exposed base, or another spelling.
    for (const fine of [`${exposed('web')}${worker('next')}`, `${exposed('web')}${worker('web-next')}`, `${worker('web')}${exposed('web-next')}`, `${exposed('web')}${exposed('web_next')}${exposed('nextdoor')}`]) {
      expect(compile(`services:\n${fine}`).ok, fine).toBe(true);
    }
  });

  test('schema errors come from the compose specification', () => {
    const found = issues('services:\n  a:\n    image: x\n    nonsense: 1\n    depends_on: { b: { condition: sometime } }\n  b: { image: x }\n');
    expect(found.find((i) => i.path === 'services.a.nonsense')?.message).toMatch(/not a key of the compose specification/);
    expect(found.find((i) => i.path === 'services.a.depends_on.b.condition')?.message).toMatch(/service_started/);
  });

  test('YAML errors, non-mappings, alias bombs and missing required variables', () => {
    expect(issues('services: [')[0]?.message).toMatch(/^YAML/);
    expect(issues('- a\n- b')[0]?.message).toMatch(/YAML mapping/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    expect(issues(bomb)[0]?.message).toMatch(/alias/i);
    const missing = issues('services:\n  a:\n    image: "x:${TAG:?give TAG}"\n');
    expect(missing).toEqual([{ path: 'services.a.image', message: 'required variable TAG is missing: give TAG' }]);
  });

  test('secrets and configs come from environment variables', () => {
    const compose = 'services:\n  a:\n    image: x\n    secrets: [pw]\nsecrets:\n  pw: { x-berth-variable: DB_PASSWORD }\n';
    expect(issues(compose)[0]?.message).toMatch(/DB_PASSWORD is not set/);
    expect(compile(compose, { DB_PASSWORD: 's3cret' }).ok).toBe(true);
    expect(issues('services:\n  a: { image: x }\nsecrets:\n  pw: { file: ./pw.txt }\n')[0]?.path).toBe('secrets.pw.file');
    expect(issues('services:\n  a: { image: x }\nnetworks:\n  outside: { external: true }\n')[0]?.message).toMatch(/uses only the networks it creates/);
  });
});

describe('compose values and rollout levels', () => {
  test('durations, sizes and commands', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('soon')).toBeNull();
    expect(parseBytes('256m')).toBe(256 * 1024 ** 2);
    expect(parseBytes('1g')).toBe(1024 ** 3);
    expect(splitCommand(`sh -c 'echo "hi there"' x\\ y`)).toEqual(['sh', '-c', 'echo "hi there"', 'x y']);
    expect(splitCommand('unbalanced "quote')).toBeNull();
  });

  test('levels group services whose dependencies are all in earlier levels', () => {
    expect(rolloutLevels({ web: ['api', 'cache'], api: ['db'], cache: [], db: [], worker: ['db'] })).toEqual({
      levels: [['cache', 'db'], ['api', 'worker'], ['web']],
      cycle: null,
    });
    expect(rolloutLevels({ a: ['b'], b: ['a'], c: [] }).cycle).toEqual(['a', 'b', 'a']);
  });

  test('a dependency others wait to complete is marked so in the plan', () => {
    const { stack } = compileStack({
      compose: 'services:\n  migrate: { image: x, deploy: { restart_policy: { condition: none } } }\n  app:\n    image: x\n    depends_on: { migrate: { condition: service_completed_successfully } }\n',
      variables: {},
      allowedBindPaths: [],
    });
    expect(planStack(stack).services.migrate?.completes).toBe(true);
  });
});
