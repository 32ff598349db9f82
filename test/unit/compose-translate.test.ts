// Each translation of a compose file as people write it: what Berth runs instead, and the
// warning at its path that says so; refusals only for safety or intent Swarm cannot meet.
import { describe, expect, test } from 'vitest';
import { checkCompose, type CompileInput, type CompiledStack } from '../../src/compose/compile-stack.js';
import { COMPOSE_SPEC_SOURCE } from '../../src/compose/compose-schema.js';
import { parseEnvFile } from '../../src/compose/env-file.js';
import { parsePorts, routedPort } from '../../src/compose/ports.js';
import type { RepoEntry, RepoFiles } from '../../src/compose/translate-binds.js';
import { fileSecretVariable } from '../../src/compose/translate-document.js';

const base: Omit<CompileInput, 'compose'> = { variables: {}, allowedBindPaths: [], hostPlatform: 'linux/amd64' };

function ok(compose: string, extra: Partial<CompileInput> = {}): CompiledStack {
  const r = checkCompose({ ...base, ...extra, compose });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.compiled;
}

function refused(compose: string, extra: Partial<CompileInput> = {}) {
  const r = checkCompose({ ...base, ...extra, compose });
  if (r.ok) throw new Error(`expected a refusal, got warnings ${JSON.stringify(r.compiled.warnings)}`);
  return Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
}

/** A repository of these files (paths relative to the compose file). */
function repoOf(files: Record<string, string>): RepoFiles {
  return {
    entry(path: string): RepoEntry {
      const p = path.replace(/^\.\//, '').replace(/\/$/, '');
      if (p.startsWith('..')) throw new Error('leads outside the repository');
      if (files[p] !== undefined) return { kind: 'file', content: files[p] };
      const inside = Object.entries(files).filter(([f]) => f.startsWith(`${p}/`));
      return inside.length ? { kind: 'dir', files: Object.fromEntries(inside.map(([f, c]) => [f.slice(p.length + 1), c])) } : { kind: 'missing' };
    },
  };
}

const warningsOf = (c: CompiledStack) => Object.fromEntries(c.warnings.map((w) => [w.path, w.message]));

describe('the compose specification', () => {
  test(`is ${COMPOSE_SPEC_SOURCE.module} ${COMPOSE_SPEC_SOURCE.version}: recent keys are known`, () => {
    const c = ok(`
name: shop
services:
  web:
    image: nginx:1.27
    pull_policy: always
    post_start: [{ command: ["true"] }]
    develop: { watch: [{ action: sync, path: ./src, target: /src }] }
    attach: false
`);
    expect(warningsOf(c)['name']).toMatch(/ignored: the stack's objects are named by the environment/);
    expect(warningsOf(c)['services.web.pull_policy']).toMatch(/ignored/);
    expect(warningsOf(c)['services.web.post_start']).toMatch(/ignored/);
  });

  test('a key the specification does not have is still an error at its path', () => {
    expect(refused('services:\n  web: { image: x, colour: blue }\n')['services.web.colour']).toMatch(/not a key of the compose specification here \(github.com\/compose-spec\/compose-go\/v2 v2\.16\.2\)/);
  });
});

describe('ports', () => {
  test('the published HTTP port becomes the route through Traefik; the host port is not published', () => {
    const c = ok('services:\n  web:\n    image: nginx\n    ports: ["8080:80"]\n');
    expect(c.stack.services.web?.expose).toEqual({ port: 80, path: '/', main: true });
    expect(warningsOf(c)['services.web.ports.0']).toMatch(/container port 80 is routed through Traefik.*host port 8080 is not published/);
  });

  test('several ports: the first HTTP one is routed and the dry run says how to choose; a database port stays inside', () => {
    const c = ok(`
services:
  app:
    image: x
    ports: ["127.0.0.1:5432:5432", "3000:3000", "9229:9229"]
`);
    expect(c.stack.services.app?.expose?.port).toBe(3000);
    const w = warningsOf(c);
    expect(w['services.app.ports.1']).toMatch(/9229 also looks like HTTP: set x-berth.port to route another/);
    expect(w['services.app.ports.0']).toMatch(/not published: the stack's other services reach it as app:5432/);
    expect(w['services.app.ports.2']).toMatch(/not published.*port 3000 is the one routed/);
  });

  test('x-berth.port chooses; app_protocol says what is not HTTP', () => {
    const c = ok('services:\n  app:\n    image: x\n    ports: ["80:80", "9000:9000"]\n    x-berth: { port: 9000, path: /health }\n');
    expect(c.stack.services.app?.expose).toEqual({ port: 9000, path: '/health', main: true });
    expect(routedPort(parsePorts([{ target: 8080, app_protocol: 'grpc' }, { target: 8081 }]).filter((p) => typeof p !== 'string'))?.target).toBe(8081);
  });

  test('a UDP port would need publishing: refused with the reason', () => {
    expect(refused('services:\n  dns:\n    image: x\n    ports: ["53:53/udp"]\n')['services.dns.ports.0']).toMatch(/UDP port 53 would need a published host port.*reach it as dns:53/);
  });

  test('every form of the short and long syntax is read', () => {
    expect(parsePorts([80, '3000', '3000-3005', '9090-9091:8080-8081', '127.0.0.1:8001:8001', '[::1]:6001:6001', '6060:6060/udp', { target: 80, published: '8080', host_ip: '0.0.0.0', protocol: 'tcp', mode: 'host' }])).toEqual([
      { target: 80, published: null, hostIp: null, protocol: 'tcp', appProtocol: null },
      { target: 3000, published: null, hostIp: null, protocol: 'tcp', appProtocol: null },
      { target: 3000, published: null, hostIp: null, protocol: 'tcp', appProtocol: null },
      { target: 8080, published: '9090-9091', hostIp: null, protocol: 'tcp', appProtocol: null },
      { target: 8001, published: '8001', hostIp: '127.0.0.1', protocol: 'tcp', appProtocol: null },
      { target: 6001, published: '6001', hostIp: '::1', protocol: 'tcp', appProtocol: null },
      { target: 6060, published: '6060', hostIp: null, protocol: 'udp', appProtocol: null },
      { target: 80, published: '8080', hostIp: '0.0.0.0', protocol: 'tcp', appProtocol: null },
    ]);
  });
});

describe('what Swarm names or runs differently', () => {
  test('container_name stays reachable as a network alias; links become aliases', () => {
    const c = ok(`
services:
  db: { image: postgres, container_name: shop-db }
  web: { image: x, links: ["db:database"], networks: [front] }
networks: { front: {} }
`);
    expect(c.stack.services.db?.networks).toEqual([{ name: 'default', aliases: ['db', 'database', 'shop-db'] }]);
    expect(warningsOf(c)['services.db.container_name']).toMatch(/shop-db stays a network alias/);
    expect(warningsOf(c)['services.web.links.0']).toMatch(/db also answers as database/);
  });

  test('stdin_open, tty, restart and limits written the Compose way', () => {
    const c = ok('services:\n  a:\n    image: x\n    stdin_open: true\n    tty: true\n    restart: unless-stopped\n    mem_limit: 256m\n    cpus: 0.5\n    scale: 2\n');
    const a = c.stack.services.a;
    expect([a?.restart, a?.replicas, a?.resources]).toEqual(['any', 2, { memoryBytes: 256 * 1024 ** 2, nanoCpus: 500_000_000 }]);
    expect(warningsOf(c)['services.a.tty']).toMatch(/no terminal/);
    expect(warningsOf(c)['services.a.mem_limit']).toMatch(/applied as deploy.resources.limits.memory/);
  });

  test('platform is checked against the host', () => {
    expect(ok('services:\n  a: { image: x, platform: linux/amd64 }\n').warnings).toEqual([]);
    expect(refused('services:\n  a: { image: x, platform: linux/arm64/v8 }\n')['services.a.platform']).toMatch(/linux\/arm64\/v8 images cannot run on this linux\/amd64 host/);
  });

  test('bridge networks become overlay; ipam and names are ignored with a warning; other drivers refused', () => {
    const c = ok('services:\n  a: { image: x, networks: [back] }\nnetworks:\n  back:\n    driver: bridge\n    name: shop_back\n    ipam: { config: [{ subnet: 172.28.0.0/16 }] }\n');
    const w = warningsOf(c);
    expect(w['networks.back.driver']).toMatch(/bridge becomes overlay/);
    expect(w['networks.back.ipam']).toMatch(/ignored/);
    expect(w['networks.back.name']).toMatch(/ignored/);
    expect(refused('services:\n  a: { image: x }\nnetworks:\n  n: { driver: macvlan }\n')['networks.n.driver']).toMatch(/overlay/);
  });

  test('build with an image in an uploaded file deploys the image; without one it needs the repository', () => {
    const c = ok('services:\n  a: { image: shop/web:1, build: . }\n');
    expect(c.stack.services.a?.image).toBe('shop/web:1');
    expect(warningsOf(c)['services.a.build']).toMatch(/the image shop\/web:1 is deployed/);
    expect(refused('services:\n  a: { build: . }\n')['services.a.build']).toMatch(/stack from its git repository/);
  });

  test('profiles: a service in a profile is not deployed, and a dependency on it is named', () => {
    const c = ok('services:\n  a: { image: x }\n  debug: { image: y, profiles: [debug] }\n');
    expect(Object.keys(c.stack.services)).toEqual(['a']);
    expect(warningsOf(c)['services.debug.profiles']).toMatch(/not deployed: it is in profile debug/);
    expect(refused('services:\n  a: { image: x, depends_on: [debug] }\n  debug: { image: y, profiles: [debug] }\n')['services.a.depends_on.debug']).toMatch(/in profile debug/);
  });

  test('deploy: global is one replica; the routing mesh becomes dnsrr; placement constraints are kept, its preferences ignored', () => {
    const c = ok('services:\n  a:\n    image: x\n    deploy: { mode: global, endpoint_mode: vip, placement: { constraints: [node.role==manager], max_replicas_per_node: 1 } }\n');
    expect(c.stack.services.a?.replicas).toBe(1);
    expect(c.stack.services.a?.placement).toEqual(['node.role == manager']);
    expect(Object.keys(warningsOf(c)).sort()).toEqual(['services.a.deploy.endpoint_mode', 'services.a.deploy.mode', 'services.a.deploy.placement.max_replicas_per_node']);
  });

  test('keys Swarm does not apply are ignored with a warning, not refused', () => {
    const c = ok('services:\n  a:\n    image: x\n    logging: { driver: json-file }\n    extra_hosts: ["h:1.2.3.4"]\n    ulimits: { nofile: 1024 }\n    shm_size: 64m\n    security_opt: [no-new-privileges:true]\n    privileged: false\n');
    expect(Object.keys(warningsOf(c)).sort()).toEqual(['services.a.extra_hosts', 'services.a.logging', 'services.a.security_opt', 'services.a.shm_size', 'services.a.ulimits']);
  });
});

describe('files a compose file names', () => {
  const files: Record<string, string> = { 'app.env': 'A=1\n# c\nexport B="two words"\nC=x #note\n', 'secrets/pw.txt': 's3cret', 'nginx.conf': 'events {}' };
  const repo = repoOf(files);
  const compose = `
services:
  a:
    image: x
    env_file: [./app.env]
    environment: { C: kept }
    secrets: [pw]
    configs: [conf]
secrets:
  pw: { file: ./secrets/pw.txt }
configs:
  conf: { file: ./nginx.conf }
`;

  test('from the repository for stacks from git: env_file read, secrets travel as sealed variables, configs as content', () => {
    const c = ok(compose, { composePath: 'compose.yaml', repo });
    expect(c.stack.services.a?.environment).toEqual({ A: '1', B: 'two words', C: 'kept' });
    expect(c.fileSecrets).toEqual({ [fileSecretVariable('pw')]: 's3cret' });
    expect(c.stack.secrets.pw).toEqual({ variable: fileSecretVariable('pw'), content: null });
    expect(JSON.stringify(c.stack)).not.toContain('s3cret');
    expect(c.stack.configs.conf).toEqual({ variable: null, content: 'events {}' });
  });

  test('uploaded: a 400 names each file and says how to give it', () => {
    const found = refused(compose);
    expect(found['services.a.env_file']).toMatch(/set these variables on the environment/);
    expect(found['secrets.pw.file']).toMatch(/set the secret as a secret variable of the environment and write environment: NAME/);
    expect(found['configs.conf.file']).toMatch(/carries no files/);
  });

  test('a file the repository does not have is named', () => {
    expect(refused('services:\n  a: { image: x, env_file: missing.env }\n', { composePath: 'c.yaml', repo })['services.a.env_file']).toMatch(/missing.env: does not exist/);
    expect(ok('services:\n  a: { image: x, env_file: [{ path: missing.env, required: false }] }\n', { composePath: 'c.yaml', repo }).stack.services.a?.environment).toEqual({});
  });

  test('secrets from an environment variable and configs with inline content, as the specification writes them', () => {
    const c = ok('services:\n  a: { image: x, secrets: [pw], configs: [c] }\nsecrets:\n  pw: { environment: DB_PASSWORD }\nconfigs:\n  c: { content: "hello" }\n', { variables: { DB_PASSWORD: 'p' } });
    expect(c.stack.secrets.pw).toEqual({ variable: 'DB_PASSWORD', content: null });
    expect(c.stack.configs.c).toEqual({ variable: null, content: 'hello' });
  });

  test('env files as Compose reads them', () => {
    expect(parseEnvFile("A=1\n\n#x\nexport B=2\nC='lit $x'\nD=\"a\\nb\"\nE\nF=x # comment\n")).toEqual({ A: '1', B: '2', C: 'lit $x', D: 'a\nb', E: null, F: 'x' });
  });
});

describe('safety refuses, naming the setting that allows it', () => {
  test.each([
    ['privileged: true', 'privileged', /refused for safety: a privileged container controls the host/],
    ['cap_add: [NET_ADMIN]', 'cap_add', /BERTH_STACK_ALLOW=cap_add/],
    ['sysctls: { net.core.somaxconn: 1024 }', 'sysctls', /BERTH_STACK_ALLOW=sysctls/],
    ['network_mode: host', 'network_mode', /refused for safety: host networking/],
    ['pid: host', 'pid', /host process namespace/],
    ['ipc: host', 'ipc', /host IPC namespace/],
    ['devices: ["/dev/fuse"]', 'devices', /host devices/],
    ['runtime: nvidia', 'runtime', /another container runtime/],
    ['use_api_socket: true', 'use_api_socket', /Docker engine's socket/],
    ['security_opt: ["seccomp:unconfined"]', 'security_opt', /weakens the isolation/],
    ['volumes: ["/etc:/host"]', 'volumes.0', /outside the allowed paths/],
  ])('%s', (line, key, reason) => {
    expect(refused(`services:\n  a:\n    image: x\n    ${line}\n`)[`services.a.${key}`]).toMatch(reason);
  });

  test('an administrator allows cap_add and sysctls, and the service gets them', () => {
    const c = ok('services:\n  a:\n    image: x\n    cap_add: [NET_ADMIN]\n    sysctls: [net.core.somaxconn=1024]\n', { allowed: ['cap_add', 'sysctls'] });
    expect([c.stack.services.a?.capAdd, c.stack.services.a?.sysctls]).toEqual([['NET_ADMIN'], { 'net.core.somaxconn': '1024' }]);
  });
});

describe('bind mounts of paths beside the compose file', () => {
  const repo = repoOf({ 'prometheus.yml': 'scrape_configs: []', 'init/01.sql': 'create table a();', 'init/02.sql': 'create table b();' });
  const compose = `
services:
  db:
    image: postgres
    volumes:
      - ./init:/docker-entrypoint-initdb.d:ro
      - ./data:/var/lib/postgresql/data
  prom:
    image: prom/prometheus
    volumes:
      - type: bind
        source: ./prometheus.yml
        target: /etc/prometheus/prometheus.yml
`;

  test('from git: files become configs at the same place, a writable directory a volume of the stack', () => {
    const c = ok(compose, { composePath: 'compose.yaml', repo });
    const db = c.stack.services.db;
    expect(db?.configs.map((x) => x.target).sort()).toEqual(['/docker-entrypoint-initdb.d/01.sql', '/docker-entrypoint-initdb.d/02.sql']);
    expect(db?.mounts).toEqual([{ type: 'volume', source: expect.stringMatching(/^bind-data-/), target: '/var/lib/postgresql/data', readOnly: false }]);
    expect(c.stack.services.prom?.configs.map((x) => x.target)).toEqual(['/etc/prometheus/prometheus.yml']);
    const contents = Object.values(c.stack.configs).map((x) => x.content).sort();
    expect(contents).toEqual(['create table a();', 'create table b();', 'scrape_configs: []']);
    const w = warningsOf(c);
    expect(w['services.db.volumes.0']).toMatch(/its 2 file\(s\) from the repository/);
    expect(w['services.db.volumes.1']).toMatch(/the stack's volume bind-data-\w+ instead/);
    expect(w['services.prom.volumes.0']).toMatch(/writes there are refused/);
  });

  test('uploaded: read-only content needs the repository; a writable directory becomes a volume', () => {
    const found = refused(compose);
    expect(found['services.db.volumes.0']).toMatch(/make the app a stack from its git repository/);
    expect(found['services.db.volumes.1']).toBeUndefined();
    expect(Object.keys(ok('services:\n  a:\n    image: x\n    volumes: ["./letsencrypt:/letsencrypt"]\n').stack.volumes)).toEqual([expect.stringMatching(/^bind-letsencrypt-[0-9a-f]{6}$/)]);
  });

  test('a path outside the repository is refused with the reason', () => {
    expect(refused('services:\n  a:\n    image: x\n    volumes: ["../../etc:/x:ro"]\n', { composePath: 'c.yaml', repo })['services.a.volumes.0']).toMatch(/leads outside the repository/);
  });
});

test('fixed addresses on a network are ignored with a warning; aliases stay', () => {
  const c = ok('services:\n  a:\n    image: x\n    networks:\n      back: { ipv4_address: 10.30.50.2, aliases: [api] }\nnetworks:\n  back: {}\n');
  expect(c.stack.services.a?.networks).toEqual([{ name: 'back', aliases: ['a', 'api'] }]);
  expect(warningsOf(c)['services.a.networks.back.ipv4_address']).toMatch(/Swarm gives tasks their addresses/);
});
