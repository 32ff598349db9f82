// Compose files written for `docker compose up`, deployed as stacks on the real Swarm, Temporal,
// Traefik and PostgreSQL: an uploaded file with ports, container_name, links, restart, a tty and
// a profile runs with its published port routed through Traefik and its names reachable; a stack
// from git reads its env_file, a file: secret and relative bind mounts from the repository, and
// the secret's text is nowhere in the database but sealed.
import { execFileSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as schema from '../../db/schema/index.js';
import { LABEL } from '../../src/domain/labels.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import { buildHello, removeImages } from '../support/images.js';
import { createStackApp, deployStack, type StackFixture } from '../support/stack-fixtures.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

const WEB = 'berth-test/compose-web:1';
const API = 'berth-test/compose-api:1';
const SECRET = 'compose-file-s3cret-7f1c';

const AS_WRITTEN = `
name: shop
version: "3.8"
services:
  web:
    image: ${WEB}
    container_name: shop-web
    ports: ["8080:8080"]
    restart: unless-stopped
    stdin_open: true
    tty: true
    links: ["api:backend"]
    depends_on: [api]
    mem_limit: 64m
  api:
    image: ${API}
    ports: ["127.0.0.1:5432:5432"]
    expose: ["8080"]
  debug:
    image: ${API}
    profiles: [debug]
networks:
  default:
    driver: bridge
`;

let berth: TestBerth;
let repo: LocalRepo;

beforeAll(async () => {
  buildHello(WEB, { version: 'web-1' });
  buildHello(API, { version: 'api-1' });
  berth = await startBerth();
  repo = createLocalRepo();
});

afterAll(async () => {
  await berth?.close();
  repo?.remove();
  removeImages(WEB, API);
});

/** Runs a command in the running task container of a stack service. */
function inService(environmentId: string, service: string, command: string[]): string {
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=${LABEL.environment}=${environmentId}`, '--filter', `label=${LABEL.service}=${service}`], { encoding: 'utf8' }).trim().split('\n')[0];
  if (!id) throw new Error(`no running container of ${service}`);
  return execFileSync('docker', ['exec', id, ...command], { encoding: 'utf8' }).trim();
}

describe('an uploaded compose file as people write it', () => {
  let fx: StackFixture;

  test('deploys: the published port answers through Traefik, container_name and links are names on the network', async () => {
    fx = await createStackApp(berth, { app: 'aswritten', compose: AS_WRITTEN });
    const dry = await berth.api('POST', `${fx.base}/stack/dry-run`);
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(Object.keys(dry.body.services).sort()).toEqual(['api', 'web']);
    expect(dry.body.routes).toEqual([{ service: 'web', hosts: expect.arrayContaining([fx.host]), port: 8080, healthPath: '/' }]);
    const paths = (dry.body.warnings as { path: string }[]).map((w) => w.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'version', 'services.web.ports.0', 'services.web.container_name', 'services.web.links.0', 'services.web.tty', 'services.web.mem_limit', 'services.api.ports.0', 'services.debug.profiles', 'networks.default.driver']));

    const done = await waitForDeployment(berth, await deployStack(berth, fx), 120_000);
    expect(done.status, JSON.stringify(done.error ?? done)).toBe('succeeded');
    expect((await throughTraefik(fx.host)).body?.trim()).toBe('web-1');
    expect(inService(fx.environmentId, 'web', ['wget', '-q', '-O-', 'http://backend:8080/'])).toBe('api-1');
    expect(inService(fx.environmentId, 'api', ['wget', '-q', '-O-', 'http://shop-web:8080/'])).toBe('web-1');
    const limits = execFileSync('docker', ['inspect', '--format', '{{.HostConfig.Memory}}', execFileSync('docker', ['ps', '-q', '--filter', `label=${LABEL.environment}=${fx.environmentId}`, '--filter', `label=${LABEL.service}=web`], { encoding: 'utf8' }).trim()], { encoding: 'utf8' }).trim();
    expect(limits).toBe(String(64 * 1024 * 1024));
  }, 180_000);
});

describe('a stack from git reads the files its compose file names', () => {
  test('env_file, a file: secret and relative bind mounts come from the commit; the secret is sealed', async () => {
    const compose = `
services:
  web:
    image: ${WEB}
    ports: ["8080:8080"]
    env_file: ./web.env
    secrets: [token]
    volumes:
      - ./site/index.html:/www/index.html:ro
      - ./state:/state
secrets:
  token:
    file: ./secrets/token.txt
`;
    repo.commit('v1', { files: { 'compose.yaml': compose, 'web.env': 'GREETING=from-env-file\n', 'secrets/token.txt': SECRET, 'site/index.html': 'from-the-repository\n' } });
    expect((await berth.api('POST', '/api/v1/projects', { name: 'p-gitcompose' })).status).toBe(201);
    const app = await berth.api('POST', '/api/v1/apps', { project: 'p-gitcompose', name: 'gitcompose', kind: 'stack', git: { url: repo.url, composeFile: 'compose.yaml' } });
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    const env = await berth.api('POST', '/api/v1/apps/gitcompose/environments', { name: 'prod', drainSeconds: 0 });
    expect(env.status, JSON.stringify(env.body)).toBe(201);
    const deployed = await berth.api('POST', '/api/v1/apps/gitcompose/environments/prod/deployments', { ref: 'main' });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(202);
    const done = await waitForDeployment(berth, deployed.body.deploymentId, 180_000);
    expect(done.status, JSON.stringify(done.error ?? done)).toBe('succeeded');

    const host = env.body.hosts[0] as string;
    expect((await throughTraefik(host)).body?.trim()).toBe('from-the-repository');
    const environmentId = env.body.id as string;
    expect(inService(environmentId, 'web', ['sh', '-c', 'echo $GREETING'])).toBe('from-env-file');
    expect(inService(environmentId, 'web', ['cat', '/run/secrets/token'])).toBe(SECRET);
    expect(inService(environmentId, 'web', ['sh', '-c', 'touch /state/written && echo ok'])).toBe('ok');

    // The secret's text is in no table: the release keeps it sealed with the secret variables.
    for (const [name, table] of Object.entries(schema)) {
      if (typeof table !== 'object' || table === null || !('getSQL' in table)) continue;
      expect(JSON.stringify(await berth.database.db.select().from(table as typeof schema.releases)).includes(SECRET), `the secret in table ${name}`).toBe(false);
    }
    const [release] = await berth.database.db.select().from(schema.releases).where(eq(schema.releases.environmentId, environmentId));
    expect(release?.variablesSealed).toMatch(/^v2\./);
    expect(Object.keys(release?.variables ?? {})).not.toContain('BERTH_FILE_SECRET_TOKEN');
  }, 240_000);
});
