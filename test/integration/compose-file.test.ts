// docker-compose.yml, the production topology: validated by a real Compose implementation
// (Debian's docker-compose, whose `config` also prints the file normalized), checked for the
// services, health checks, secrets and Berth settings it must have, and its inline pieces run
// for real: Traefik's flags and health check on the pinned Traefik, the api and worker health
// checks against a running Berth.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { probeHttp } from '../../src/http-probe.js';
import { toolPaths } from '../../src/process/embedded-services.js';
import { writeTraefikConfig } from '../../src/services/traefik.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/wait.js';

const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const COMPOSE_BIN = '/usr/bin/docker-compose';
const EXPECTED_SERVICES = ['postgres', 'temporal', 'temporal-ui', 'traefik', 'migrate', 'api', 'worker', 'static'];
const SENTINEL_PASSWORD = 'sentinel0pw4compose';
const REQUIRED_ENV: Record<string, string> = { POSTGRES_PASSWORD: SENTINEL_PASSWORD, DOCKER_GID: '990', BERTH_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') };

interface Service {
  image?: string;
  build?: { context: string };
  command?: string[];
  /** A mapping once normalized; either form in the file as written. */
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  restart?: string;
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

let tempDir: string;
let emptyEnvFile: string;

/** Runs docker-compose on the repository's file with exactly `env` (plus PATH/HOME), no .env. */
function compose(args: string[], env: Record<string, string>) {
  const result = spawnSync(COMPOSE_BIN, ['--env-file', emptyEnvFile, '-f', join(ROOT, 'docker-compose.yml'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir, ...env },
    encoding: 'utf8',
  });
  if (result.error) throw new Error(`${COMPOSE_BIN} did not run (scripts/setup.sh test installs it): ${result.error.message}`);
  return result;
}

/** docker-compose 1.29 has no JSON output; its own YAML library (python3-yaml) converts. */
function yamlToJson(text: string): ComposeFile {
  const py = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)';
  const result = spawnSync('python3', ['-c', py], { input: text, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`python3 could not parse the YAML: ${result.stderr}`);
  return JSON.parse(result.stdout) as ComposeFile;
}

/** The file as Compose understands it: anchors merged, variables filled in. */
function normalized(): ComposeFile {
  const result = compose(['config'], REQUIRED_ENV);
  expect(result.status, result.stderr).toBe(0);
  return yamlToJson(result.stdout);
}

/** The file as written, `${…}` untouched (docker-compose 1.29's --no-interpolate rejects ports). */
function asWritten(): ComposeFile {
  const file = yamlToJson(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));
  for (const service of Object.values(file.services)) {
    const env: unknown = service.environment;
    if (Array.isArray(env)) service.environment = Object.fromEntries(env.map((e: string) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
  }
  return file;
}

/** The variables src/config.ts validates: the keys of its envSchema. */
function configKeys(): Set<string> {
  const source = readFileSync(join(ROOT, 'src/config.ts'), 'utf8');
  const block = /const envSchema = z\.object\(\{\n([\s\S]*?)\n\}\);/.exec(source)?.[1] ?? '';
  return new Set([...block.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!));
}

/** Flags such as --entryPoints.web.address=:80 as lowercased dotted keys. */
function flagsOf(command: string[]): Map<string, string> {
  const pairs = command.map((flag) => /^--([^=]+)=(.*)$/.exec(flag)).filter((m) => m !== null);
  return new Map(pairs.map((m) => [m[1]!.toLowerCase(), m[2]!]));
}

/** A configuration object as the same lowercased dotted keys. */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  // A list of plain values (the metrics' buckets) is one comma-separated flag.
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object')) {
    out.set(prefix, value.join(','));
    return out;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k.toLowerCase()}` : k.toLowerCase(), out);
  } else {
    out.set(prefix, String(value));
  }
  // An empty object in the file (tlsChallenge: {}) is a bare flag (=true) on the command line.
  if (value && typeof value === 'object' && Object.keys(value).length === 0) out.set(prefix, 'true');
  return out;
}

/** Services others wait for with service_completed_successfully: they run once and exit. */
function oneShots(file: ComposeFile): Set<string> {
  return new Set(
    Object.values(file.services).flatMap((s) =>
      Object.entries(s.depends_on ?? {})
        .filter(([, d]) => d.condition === 'service_completed_successfully')
        .map(([name]) => name),
    ),
  );
}

/** Compose normalizes `disable: true` to test ["NONE"]. */
const hasHealthcheck = (service: Service | undefined) =>
  !!service?.healthcheck?.test?.length && service.healthcheck.test[0] !== 'NONE' && !service.healthcheck.disable;
const berthServices = (file: ComposeFile) => Object.entries(file.services).filter(([, s]) => s.build?.context === ROOT);
const volumeSource = (service: Service, target: string) => service.volumes?.map((v) => v.split(':')).find(([, t]) => t === target)?.[0];
const portOf = (url: string) => new URL(url).port || (url.startsWith('https:') ? '443' : '80');
const addressPort = (address: string) => address.split(':').pop();

beforeAll(() => {
  tempDir = mkdtempSync(join(inject('services').tempDir, 'compose-'));
  emptyEnvFile = join(tempDir, 'empty.env');
  writeFileSync(emptyEnvFile, '');
});

afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

describe('docker-compose.yml', () => {
  test('is valid Compose with the required variables set, and names each one missing', () => {
    const ok = compose(['config', '-q'], REQUIRED_ENV);
    expect(ok.status, ok.stderr).toBe(0);

    for (const missing of Object.keys(REQUIRED_ENV)) {
      const env = { ...REQUIRED_ENV };
      delete env[missing];
      const failed = compose(['config', '-q'], env);
      expect(failed.status, `config succeeded without ${missing}`).not.toBe(0);
      expect(failed.stderr).toMatch(new RegExp(`Missing mandatory value[\\s\\S]*set ${missing}`));
    }
  });

  test('has the production services, health-checked and restarted; one-shots run once', () => {
    const file = normalized();
    expect(Object.keys(file.services)).toEqual(expect.arrayContaining(EXPECTED_SERVICES));
    const once = oneShots(file);
    expect([...once]).toContain('migrate');
    for (const [name, service] of Object.entries(file.services)) {
      if (once.has(name)) {
        expect(service.restart ?? 'no', `${name} runs once`).toBe('no');
        continue;
      }
      const checked = hasHealthcheck(service);
      const dependsOnHealthy = Object.values(service.depends_on ?? {}).some((d) => d.condition === 'service_healthy');
      expect(checked || dependsOnHealthy, `${name} has a health check or depends on one`).toBe(true);
      expect(service.restart, `${name} restart policy`).toMatch(/^(always|unless-stopped|on-failure(:\d+)?)$/);
    }
    // `config` accepts a service_healthy dependency on a service without a health check; `up` does not.
    for (const [name, service] of Object.entries(file.services)) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        if (condition === 'service_healthy') expect(hasHealthcheck(file.services[dep]), `${name} waits for ${dep} to be healthy`).toBe(true);
      }
    }
    for (const name of ['api', 'worker']) {
      expect(file.services[name]?.depends_on?.migrate?.condition, `${name} starts after migrate`).toBe('service_completed_successfully');
    }
    const data = volumeSource(file.services.postgres!, '/var/lib/postgresql/data');
    expect(Object.keys(file.volumes ?? {}), 'PostgreSQL data on a named volume').toContain(data);
  });

  test('keeps secrets out of the file: every credential is a ${VARIABLE} reference', () => {
    const raw = asWritten();
    const reference = /^\$\{[A-Z_][A-Z0-9_]*(:?[-?][^}]*)?\}$/;
    const REF = '\u0000ref\u0000';
    const strings: [string, string][] = [];
    const walk = (value: unknown, path: string) => {
      if (typeof value === 'string') strings.push([path, value]);
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`);
    };
    walk(raw.services, 'services');
    expect(strings.length).toBeGreaterThan(50);
    for (const [name, service] of Object.entries(raw.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY/i.test(key)) expect(value, `${name}.${key}`).toMatch(reference);
      }
    }
    for (const [path, value] of strings) {
      const text = value.replace(/\$\{[^}]*\}/g, REF);
      for (const m of text.matchAll(/:\/\/[^:/@\s]+:([^@\s]*)@/g)) expect(m[1], `credentials in a URL at ${path}`).toBe(REF);
      for (const m of text.matchAll(/(?:password|passwd|pwd|secret|token)["']?\s*[=:]\s*["']?([^\s"',;&]+)/gi)) {
        expect(m[1], `literal secret at ${path}: ${m[0]}`).toBe(REF);
      }
    }
    // …and the one password reaches every place that needs it.
    const file = normalized();
    expect(file.services.postgres?.environment?.POSTGRES_PASSWORD).toBe(SENTINEL_PASSWORD);
    expect(file.services.temporal?.environment?.POSTGRES_PWD).toBe(SENTINEL_PASSWORD);
    for (const [name, service] of berthServices(file)) {
      expect(service.environment?.DATABASE_URL, name).toContain(`:${SENTINEL_PASSWORD}@`);
    }
  });

  test('sets only settings src/config.ts knows, to values it accepts, for production', () => {
    const known = configKeys();
    expect(known.size, 'envSchema keys found in src/config.ts').toBeGreaterThan(20);
    expect(known).toContain('DATABASE_URL');
    const file = normalized();
    const berth = berthServices(file);
    expect(berth.map(([name]) => name).sort()).toEqual(['api', 'migrate', 'static', 'worker']);
    for (const [name, service] of Object.entries(file.services)) {
      const isBerth = berth.some(([n]) => n === name);
      for (const key of Object.keys(service.environment ?? {})) {
        // TEMPORAL_* on Temporal's own images are theirs; on Berth's, they must be Berth's.
        if (key.startsWith('BERTH_') || (isBerth && /^(TEMPORAL_|DATABASE_URL$|DOCKER_SOCKET$)/.test(key))) {
          expect(known, `${name} sets ${key}`).toContain(key);
        }
      }
    }
    for (const [name, service] of berth) {
      const config = loadConfig(service.environment ?? {});
      expect(config.embeddedServices, name).toBe(false);
      expect(config.databaseUrl, name).toMatch(/^postgres:\/\/berth:/);
      expect(config.temporal.workflowBundle, name).toBe('/app/dist/workflow-bundle.js');
      expect(service.command, name).toEqual([name === 'static' ? 'static-server' : name]);
    }
  });

  test('Traefik gets the static configuration `berth dev` writes, wired to the worker', () => {
    const file = normalized();
    const traefik = file.services.traefik!;
    const worker = file.services.worker!;
    const flags = flagsOf(traefik.command ?? []);
    const dir = join(tempDir, 'static');
    const acme = { directoryUrl: 'https://ca.example/dir', email: 'ops@example.com', caCertificates: undefined, dnsProvider: undefined, dnsResolvers: [], dnsPropagationCheck: true };
    const written = JSON.parse(readFileSync(writeTraefikConfig({ dir, routesDir: join(dir, 'routes'), entryPort: 1, apiPort: 2, httpsPort: 3, acme }), 'utf8'));
    const expected = flatten(written);
    const placeSpecific = (key: string) =>
      /^entrypoints\.[^.]+\.address$/.test(key) || key === 'providers.file.directory' || /^certificatesresolvers\.[^.]+\.acme\.(caserver|email|storage)$/.test(key);
    for (const [key, value] of expected) {
      if (placeSpecific(key)) expect(flags.has(key), `flag --${key}`).toBe(true);
      else expect(flags.get(key), `flag --${key}`).toBe(value);
    }
    expect([...flags.keys()].filter((key) => !expected.has(key)), 'flags berth dev does not set').toEqual([]);

    const env = worker.environment!;
    const routesVolume = volumeSource(traefik, flags.get('providers.file.directory')!);
    expect(routesVolume, 'Traefik watches a named volume').toBeDefined();
    expect(volumeSource(worker, env.BERTH_TRAEFIK_ROUTES_DIR!), "the worker writes into Traefik's volume").toBe(routesVolume);
    expect(Object.keys(file.volumes ?? {})).toContain(routesVolume);
    expect(portOf(env.BERTH_TRAEFIK_API_URL!)).toBe(addressPort(flags.get('entrypoints.traefik.address')!));
    expect(portOf(env.BERTH_TRAEFIK_ENTRY_URL!)).toBe(addressPort(flags.get('entrypoints.web.address')!));
    expect(env.BERTH_TRAEFIK_PORT).toBe(addressPort(flags.get('entrypoints.web.address')!));
    expect(env.BERTH_TRAEFIK_HTTPS_PORT).toBe(addressPort(flags.get('entrypoints.websecure.address')!));
  });
});

describe('its inline pieces, run for real', () => {
  let traefik: ChildProcess | undefined;
  let backend: Server | undefined;
  let berth: TestBerth | undefined;
  let api: ServerType | undefined;

  afterAll(async () => {
    traefik?.kill('SIGKILL');
    backend?.close();
    api?.close();
    await berth?.close();
  });

  test("Traefik starts with the file's flags, passes the file's health check and serves a route file", async () => {
    const file = normalized();
    const [entryPort, apiPort, backendPort, httpsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const routesDir = mkdtempSync(join(tempDir, 'routes-'));
    // Only the place-specific values change: loopback ports and a temp directory.
    const local = (flag: string) =>
      flag
        .replace(/^(--entryPoints\.web\.address=).*$/, `$1127.0.0.1:${entryPort}`)
        .replace(/^(--entryPoints\.traefik\.address=).*$/, `$1127.0.0.1:${apiPort}`)
        .replace(/^(--entryPoints\.websecure\.address=).*$/, `$1127.0.0.1:${httpsPort}`)
        .replace(/^(--certificatesResolvers\.[^.]+\.acme\.storage=).*$/, `$1${join(routesDir, '..', 'acme.json')}`)
        .replace(/^(--providers\.file\.directory=).*$/, `$1${routesDir}`);
    const binary = toolPaths(inject('services').toolsDir).traefik;
    let output = '';
    traefik = spawn(binary, (file.services.traefik!.command ?? []).map(local), { stdio: ['ignore', 'pipe', 'pipe'] });
    traefik.stdout?.on('data', (d) => (output += d));
    traefik.stderr?.on('data', (d) => (output += d));

    const [, command, ...args] = file.services.traefik!.healthcheck!.test!.map(local);
    expect(command).toBe('traefik');
    await waitFor('the compose health check to pass on Traefik', async () => spawnSync(binary, args).status === 0, 15_000, 100).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output}`);
    });

    backend = createServer((_, res) => res.end('compose-route')).listen(backendPort, '127.0.0.1');
    const route = {
      http: {
        routers: { compose: { rule: 'Host(`compose.localhost`)', service: 'compose', entryPoints: ['web'] } },
        services: { compose: { loadBalancer: { servers: [{ url: `http://127.0.0.1:${backendPort}` }] } } },
      },
    };
    writeFileSync(join(routesDir, 'compose.yml'), JSON.stringify(route));
    await waitFor(
      'the route file to be served through the web entrypoint',
      async () => {
        const res = await probeHttp(`http://127.0.0.1:${entryPort}/`, { host: 'compose.localhost', timeoutMs: 1000, expectedStatus: 200 });
        return res.ok && res.body === 'compose-route';
      },
      10_000,
    );
  });

  test("the api and worker health checks pass against a running Berth, and fail when it isn't there", async () => {
    const file = normalized();
    berth = await startBerth();
    const port = await freePort();
    api = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: berth!.app.fetch, hostname: '127.0.0.1', port }, () => resolve(s));
    });
    // Asynchronously: the API answering the check runs in this process.
    const run = async (name: string, env: Record<string, string>) => {
      const [, command, ...args] = file.services[name]!.healthcheck!.test!;
      expect(command).toBe('node');
      return promisify(execFile)(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }).then(
        ({ stderr }) => ({ status: 0, stderr }),
        (err: { code?: number; stderr?: string }) => ({ status: err.code ?? -1, stderr: err.stderr ?? '' }),
      );
    };

    const apiEnv = { BERTH_API_HOST: '127.0.0.1', BERTH_API_PORT: String(port) };
    const healthy = await run('api', apiEnv);
    expect(healthy.status, healthy.stderr).toBe(0);
    expect((await run('api', { ...apiEnv, BERTH_API_HOST: '0.0.0.0' })).status).toBe(0);
    expect((await run('api', { ...apiEnv, BERTH_API_PORT: String(await freePort()) })).status).toBe(1);

    const workerEnv = { TEMPORAL_ADDRESS: berth.env.TEMPORAL_ADDRESS!, TEMPORAL_NAMESPACE: berth.env.TEMPORAL_NAMESPACE! };
    const polling = await run('worker', workerEnv);
    expect(polling.status, polling.stderr).toBe(0);
    expect((await run('worker', { ...workerEnv, BERTH_HOST_ID: 'no-such-host' })).status).toBe(1);
    // Temporal unreachable: unhealthy, not hanging.
    expect((await run('worker', { ...workerEnv, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` })).status).toBe(1);
  });
});

test('the api, the worker and the static server share the static sites volume', () => {
  const file = normalized();
  for (const name of ['api', 'worker', 'static']) {
    // docker-compose 1.29 prints short syntax: source:target:mode.
    const volumes = (file.services[name]?.volumes ?? []) as unknown as string[];
    expect(volumes.some((v) => String(v).startsWith('static:/var/lib/berth/static')), name).toBe(true);
  }
});
