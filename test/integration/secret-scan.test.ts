// The whole-run secret scan: deploys with secret variables at every level (project,
// environment, a deploy's override), a build secret used by a real build, the GitHub App's
// credentials and installation tokens, and a notification channel whose URL carries its token
// — then every Temporal history of the run (as stored, and decoded with Berth's key ring), a
// pg_dump of the database, every log line and every API answer are scanned for each plaintext:
// 0 hits. The same scanner finds canaries known to be in each place, so it can fail.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { builtImageTag } from '../../src/domain/git-build.js';
import type { TestBerth } from '../support/berth.js';
import { startGitHubBerth } from '../support/github-berth.js';
import { createLocalRepo, type LocalRepo } from '../support/git-repos.js';
import type { GitHubStandIn } from '../support/github-stand-in.js';
import { historyText } from '../support/history-text.js';
import { removeImages } from '../support/images.js';
import type { Json } from '../support/json.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.js';
import { waitFor, waitForDeployment } from '../support/wait.js';
import { pushPayload, sendDelivery } from '../support/webhooks.js';

const INSTALLATION = 9501;
const REPOSITORY = 'octo-org/scan';
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const S = { project: secret('prj'), env: secret('env'), deploy: secret('dep'), build: secret('bld'), slack: secret('slk') };
const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(chunk.toString());
    done();
  },
});
const answers: string[] = [];
const images: string[] = [];
let berth: TestBerth;
let github: GitHubStandIn;
let repo: LocalRepo;
let receiver: HttpReceiver;

async function call(method: string, path: string, body?: unknown): Promise<Json> {
  const res = await berth.api(method, path, body);
  answers.push(`${method} ${path} ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

/** Every (secret, place) pair where the plaintext occurs. */
function scan(places: Record<string, string>, plaintexts: Record<string, string>): string[] {
  const hits: string[] = [];
  for (const [place, text] of Object.entries(places)) {
    for (const [name, value] of Object.entries(plaintexts)) if (text.includes(value)) hits.push(`${name} in ${place}`);
  }
  return hits;
}

beforeAll(async () => {
  receiver = await startHttpReceiver();
  repo = createLocalRepo();
  ({ berth, github } = await startGitHubBerth({
    installationId: INSTALLATION,
    repositories: [{ id: 901, full_name: REPOSITORY, clone_url: repo.url }],
    berth: { logDestination: capture, env: { BERTH_LOG_LEVEL: 'debug' } },
  }));
}, 120_000);

afterAll(async () => {
  await berth?.close();
  await github?.close();
  await receiver?.close();
  repo?.remove();
  removeImages(...images);
});

test('no secret of a whole run is in any Temporal history, the database dump, the logs or an API answer', async () => {
  const healthCheck = { path: '/healthz', intervalMs: 200, timeoutMs: 1000, startPeriodMs: 2000 };
  await call('POST', '/api/v1/projects', { name: 'scan' });
  await call('PUT', '/api/v1/projects/scan/variables', { variables: { P_SECRET: S.project, SHARED: 'plain' }, secret: ['P_SECRET'] });
  await call('POST', '/api/v1/projects/scan/notification-channels', { name: 'chat', destination: { kind: 'slack', url: receiver.url(`/services/${S.slack}`) } });
  // A git app, built from a push with a build secret the Dockerfile reads (and prints).
  await call('POST', '/api/v1/apps', { project: 'scan', name: 'scan', kind: 'git', port: 8080, healthCheck, git: { repository: REPOSITORY, buildArgs: { RUN_ID: randomUUID() } } });
  await call('POST', '/api/v1/apps/scan/environments', { name: 'prod', drainSeconds: 0 });
  await call('PUT', '/api/v1/apps/scan/environments/prod/variables', { variables: { E_SECRET: S.env, DSN: 'postgres://app:${{ project.P_SECRET }}@db/scan' }, secret: ['E_SECRET'] });
  await call('PUT', '/api/v1/apps/scan/rules', { rules: [{ event: 'push', pattern: 'main', environment: 'prod' }] });
  await call('PUT', '/api/v1/apps/scan/build-secrets/api_token', { value: S.build });
  // An image app deployed through the API with a secret override, and a plain canary.
  const canary = `canary-${randomUUID()}`;
  await call('POST', '/api/v1/apps', { project: 'scan', name: 'scanimg', image: 'berth-local/hello:v1', port: 8080, healthCheck });
  await call('POST', '/api/v1/apps/scanimg/environments', { name: 'prod', drainSeconds: 0 });
  await call('PUT', '/api/v1/apps/scanimg/environments/prod/variables', { variables: { CANARY: canary } });

  const sha = repo.commit('v1');
  images.push(builtImageTag(berth.config.instance, 'scan', sha));
  const sent = await sendDelivery(berth, { event: 'push', payload: pushPayload({ repository: REPOSITORY, branch: 'main', sha, installationId: INSTALLATION, files: ['version'] }), secret: github.app.webhookSecret });
  expect(sent.status).toBe(202);
  const delivery = await waitFor('the push to be planned', async () => {
    const r = await berth.api('GET', `/api/v1/github/deliveries/${sent.deliveryId}`);
    return r.body?.outcome && r.body.outcome !== 'pending' ? r.body : undefined;
  });
  expect(delivery.outcome, delivery.message).toBe('deployed');
  const built = await waitForDeployment(berth, delivery.results[0].deploymentId, 120_000);
  expect(built.status, built.message).toBe('succeeded');
  const api = await call('POST', '/api/v1/apps/scanimg/environments/prod/deployments', { image: 'berth-local/hello:v1', variables: { D_SECRET: S.deploy }, secret: ['D_SECRET'] });
  const d = await waitForDeployment(berth, api.deploymentId);
  expect(d.status, d.message).toBe('succeeded');

  // Each secret did its job: the containers have them, the build read its secret, the channel was called.
  const envOf = async (environmentId: string) => {
    const c = (await berth.containers(environmentId)).find((x) => x.State === 'running');
    return (await berth.docker.getContainer(c?.Id as string).inspect()).Config.Env;
  };
  const scanEnv = await envOf(built.environmentId);
  expect(scanEnv).toContain(`E_SECRET=${S.env}`);
  expect(scanEnv).toContain(`DSN=postgres://app:${S.project}@db/scan`);
  expect(await envOf(d.environmentId)).toContain(`D_SECRET=${S.deploy}`);
  const buildLog = ((await call('GET', `/api/v1/deployments/${built.id}/logs`)).items as { message: string }[]).map((l) => l.message);
  expect(buildLog.some((l) => /token has \d+ bytes/.test(l)), 'the build read its secret').toBe(true);
  await waitFor('the channel to be notified', async () => receiver.accepted(`/services/${S.slack}`).length > 0);
  expect(github.issuedTokens().length).toBeGreaterThan(0);

  // What else a user reads through the API.
  for (const path of [
    '/api/v1/apps/scan/environments/prod/variables',
    '/api/v1/apps/scan/environments/prod/variables/effective',
    '/api/v1/apps/scanimg/environments/prod/variables/effective',
    '/api/v1/projects/scan/variables',
    '/api/v1/apps/scan/build-secrets',
    '/api/v1/apps/scan/environments/prod/releases',
    `/api/v1/deployments/${built.id}`,
    `/api/v1/deployments/${d.id}`,
    `/api/v1/deployments/${d.id}/logs`,
    `/api/v1/github/deliveries/${sent.deliveryId}`,
    '/api/v1/projects/scan/notification-channels',
    '/api/v1/github/app',
    '/api/v1/admin/keys',
  ]) {
    await call('GET', path);
  }

  const histories: unknown[] = [];
  for await (const info of berth.temporal.workflow.list()) histories.push(await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory());
  expect(histories.length).toBeGreaterThan(5);
  const places = {
    'Temporal histories': await historyText(berth.ring, histories),
    'database dump': execFileSync('pg_dump', ['--no-owner', berth.env.DATABASE_URL as string], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8'),
    logs: lines.join(''),
    'API answers': answers.join('\n'),
  };
  const pem = github.app.privateKey.split('\n')[1] as string;
  const plaintexts = { ...S, githubWebhookSecret: github.app.webhookSecret, githubPrivateKey: pem, ...Object.fromEntries(github.issuedTokens().map((t, i) => [`installationToken${i}`, t])) };
  expect(scan(places, plaintexts)).toEqual([]);

  // The scanner finds what is there: a plain variable in the dump and the answers, the
  // deployment's id in the histories and the logs, and a secret planted in each place.
  expect(scan(places, { canary })).toEqual(expect.arrayContaining(['canary in database dump', 'canary in API answers']));
  expect(scan(places, { deployment: d.id })).toEqual(['deployment in Temporal histories', 'deployment in database dump', 'deployment in logs', 'deployment in API answers']);
  const planted = Object.fromEntries(Object.entries(places).map(([k, v]) => [k, `${v}\n${S.env}`]));
  expect(scan(planted, { E_SECRET: S.env })).toHaveLength(4);
}, 180_000);
