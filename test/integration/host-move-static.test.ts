// Moving a deployed static site between real hosts: the installation's own (its static server)
// and a second Docker host in a network namespace with its own `berth worker --host h2`, data
// directory and static server (test/support/second-docker-host.ts). The live release's files are
// packed on the host left, carried through the database, unpacked and verified on the new host;
// the route switches there; the host left keeps nothing. Under steady load through Traefik no
// request fails; a move cancelled before its switch leaves the site serving where it was; a drain
// moves static sites too.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { staticUploads } from '../../db/schema/index.js';
import { routeFileName } from '../../src/domain/route.js';
import { RELEASE_HEADER } from '../../src/domain/static-site.js';
import { readCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { siteArchive } from '../support/archives.js';
import type { TestBerth } from '../support/berth.js';
import type { AppFixture } from '../support/fixtures.js';
import { startLoad } from '../support/load.js';
import type { SecondDockerHost } from '../support/second-docker-host.js';
import { startStaticSecondHost, type StaticSecondHost } from '../support/static-second-host.js';
import { createStaticApp, deployArchive, filesUnder } from '../support/static-sites.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

let h2Host: StaticSecondHost;
let berth: TestBerth;
let h2: SecondDockerHost;
let h2Data: string;
let h2StaticPort: number;
let site: AppFixture;
let release: string;
/** The release before it, kept for rollbacks. */
let older: string;

beforeAll(async () => {
  h2Host = await startStaticSecondHost();
  ({ berth, h2, dataDir: h2Data, staticPort: h2StaticPort } = h2Host);
  await h2Host.startWorker();
}, 180_000);

afterAll(async () => {
  await h2Host?.close();
}, 120_000);

const onH1 = () => sitePaths(berth.config.static.dir, site.app, site.env);
const onH2 = () => sitePaths(join(h2Data, 'static'), site.app, site.env);
const route = () => readFileSync(join(inject('services').traefik.routesDir, routeFileName(berth.config.instance, site.environmentId)), 'utf8');
const stashed = async () => (await berth.database.db.select({ id: staticUploads.deploymentId }).from(staticUploads)).length;
const steadyLoad = () => startLoad({ url: inject('services').traefik.entryUrl, host: site.host, ratePerSecond: 100, maxRequests: 20_000, maxMs: 180_000, acceptBodies: ['site v1'] });
const h2Server = () => `http://${h2.address}:${h2StaticPort}`;

test('a static site moves from the installation’s host to h2 under steady load: no request fails, nothing stays behind', async () => {
  site = await createStaticApp(berth, { app: 'moving-site', environment: { drainSeconds: 1, retention: 3 } });
  // An older release kept for rollbacks: its files follow the live one after the commit.
  const v0 = await waitForDeployment(berth, await deployArchive(berth, site, siteArchive({ 'index.html': 'site v0' })), 90_000);
  expect(v0.status, v0.message).toBe('succeeded');
  older = (await berth.api('GET', site.base)).body.liveReleaseId;
  const first = await waitForDeployment(berth, await deployArchive(berth, site, siteArchive({ 'index.html': 'site v1', 'about/index.html': 'about v1' })), 90_000);
  expect(first.status, first.message).toBe('succeeded');
  release = (await berth.api('GET', site.base)).body.liveReleaseId;
  expect(await readCurrent(onH1())).toBe(release);

  const load = steadyLoad();
  const asked = await berth.api('POST', `${site.base}/move`, { hostId: 'h2' });
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  const d = await waitForDeployment(berth, asked.body.deploymentId, 120_000);
  await new Promise((r) => setTimeout(r, 500));
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  expect(d).toMatchObject({ trigger: 'move', kind: 'rollback' });
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  console.log(`host-move-static: move to h2 under 100 req/s: ${result.sent} requests, ${result.failed} failed, p95 ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(1)} ms; move ${Date.parse(d.finishedAt) - Date.parse(d.createdAt)} ms`);
  expect(result.failures).toEqual([]);
  expect(result.sent).toBeGreaterThan(100);
  const phases = d.phases.map((p: { phase: string; outcome: string }) => `${p.phase} ${p.outcome}`);
  expect(phases).toEqual(expect.arrayContaining(['receive succeeded', 'unpack succeeded', 'verify succeeded', 'switch succeeded', 'confirm succeeded', 'drain succeeded', 'retire succeeded']));
  expect(d.phases.at(-1)).toMatchObject({ phase: 'prune', outcome: 'succeeded' });
  expect(d.phases.at(-1).message).toMatch(/^carried 1 older release\(s\) for rollbacks; removed the site's files on host /);
  expect(readFileSync(join(onH2().release(older), 'index.html'), 'utf8')).toBe('site v0');

  // The same release, now on h2's disk and served from h2's static server; nothing left on the installation's.
  expect((await berth.api('GET', site.base)).body).toMatchObject({ hostId: 'h2', placement: 'h2', liveReleaseId: release, liveDeploymentId: d.id });
  expect(await readCurrent(onH2())).toBe(release);
  expect(readFileSync(join(onH2().release(release), 'about/index.html'), 'utf8')).toBe('about v1');
  expect(existsSync(onH1().root)).toBe(false);
  expect(await filesUnder(onH2().incoming)).toEqual([]);
  expect(await stashed()).toBe(0);
  expect(route()).toContain(h2Server());
  const answer = await throughTraefik(site.host, '/about/');
  expect(answer.body.trim()).toBe('about v1');
  expect(answer.headers[RELEASE_HEADER.toLowerCase()]).toBe(release);
}, 240_000);

test('a move back cancelled while it receives the files leaves the site serving from h2, nothing on the installation’s host', async () => {
  // A file where the site's directory would go: the receive step on the installation's host fails and retries.
  mkdirSync(dirname(onH1().root), { recursive: true });
  writeFileSync(onH1().root, 'in the way');
  const load = steadyLoad();
  const asked = await berth.api('POST', `${site.base}/move`, { hostId: null });
  expect(asked.status, JSON.stringify(asked.body)).toBe(202);
  const id = asked.body.deploymentId;
  await waitFor(`${id} receiving`, async () => (await berth.api('GET', `/api/v1/deployments/${id}`)).body.phases?.some((p: { phase: string; outcome: string }) => p.phase === 'receive' && p.outcome === 'running'), 60_000, 2);
  expect((await berth.api('POST', `/api/v1/deployments/${id}/cancel`, {})).status).toBeLessThan(300);
  const d = await waitForDeployment(berth, id, 60_000);
  const result = await load.stop();
  expect(d.status, d.message).toBe('cancelled');
  console.log(`host-move-static: cancelled move: ${result.sent} requests, ${result.failed} failed`);
  expect(result.failures).toEqual([]);
  expect((await berth.api('GET', site.base)).body).toMatchObject({ hostId: 'h2', liveReleaseId: release });
  expect(await readCurrent(onH2())).toBe(release);
  expect(readFileSync(onH1().root, 'utf8')).toBe('in the way');
  expect(await stashed()).toBe(0);
  expect(route()).toContain(h2Server());
  expect((await throughTraefik(site.host)).body.trim()).toBe('site v1');
  rmSync(onH1().root);
}, 120_000);

test('draining h2 moves the static site back to the installation’s host under steady load', async () => {
  const load = steadyLoad();
  const drained = await berth.api('PATCH', '/api/v1/hosts/h2', { draining: true });
  expect(drained.status, JSON.stringify(drained.body)).toBe(200);
  const host = await waitFor(
    'h2 drained',
    async () => {
      const h = (await berth.api('GET', '/api/v1/hosts/h2')).body;
      return h.drain?.state === 'drained' || h.drain?.state === 'incomplete' ? h : undefined;
    },
    120_000,
  );
  await new Promise((r) => setTimeout(r, 500));
  const result = await load.stop();
  console.log(`host-move-static: drain of h2 (static site): ${result.sent} requests, ${result.failed} failed`);
  expect(host.drain).toMatchObject({ state: 'drained', total: 1, moved: [`${site.app}/${site.env}`], failed: [] });
  expect(result.failures).toEqual([]);
  expect((await berth.api('GET', site.base)).body).toMatchObject({ hostId: null, placement: berth.config.hostId, liveReleaseId: release });
  expect(await readCurrent(onH1())).toBe(release);
  expect(existsSync(onH2().root)).toBe(false);
  expect(route()).not.toContain(h2Server());
  expect((await throughTraefik(site.host)).body.trim()).toBe('site v1');
  expect((await berth.api('PATCH', '/api/v1/hosts/h2', { draining: false })).status).toBe(200);
  // The older release came along both ways: a rollback to it is served from this host's disk.
  const back = await berth.api('POST', `${site.base}/rollback`, { releaseId: older });
  expect(back.status, JSON.stringify(back.body)).toBe(202);
  const rolled = await waitForDeployment(berth, back.body.deploymentId, 60_000);
  expect(rolled.status, rolled.message).toBe('succeeded');
  expect((await throughTraefik(site.host)).body.trim()).toBe('site v0');
  release = older;
}, 180_000);

test('a static site whose host’s worker is away does not move (its files are there): 409 and a failed drain, nothing changed', async () => {
  const there = await waitForDeployment(berth, (await berth.api('POST', `${site.base}/move`, { hostId: 'h2' })).body.deploymentId, 120_000);
  expect(there.status, there.message).toBe('succeeded');
  const before = (await berth.api('GET', site.base)).body;
  const exited = new Promise((r) => h2Host.worker?.once('exit', r));
  h2Host.worker?.kill('SIGKILL');
  await exited;
  await waitFor('h2 not alive', async () => (await berth.api('GET', '/api/v1/hosts/h2')).body.alive === false, 30_000);
  const refused = await berth.api('POST', `${site.base}/move`, { hostId: null });
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toMatch(/files are on host h2, whose worker is not alive/);
  const drained = await berth.api('PATCH', '/api/v1/hosts/h2', { draining: true });
  expect(drained.status, JSON.stringify(drained.body)).toBe(200);
  const host = await waitFor('the drain to end', async () => {
    const h = (await berth.api('GET', '/api/v1/hosts/h2')).body;
    return h.drain?.state === 'drained' || h.drain?.state === 'incomplete' ? h : undefined;
  });
  expect(host.drain).toMatchObject({ state: 'incomplete', moved: [], failed: [{ environment: `${site.app}/${site.env}`, message: expect.stringMatching(/whose worker is not alive/) }] });
  const after = (await berth.api('GET', site.base)).body;
  expect(after).toMatchObject({ hostId: 'h2', liveReleaseId: before.liveReleaseId, liveDeploymentId: before.liveDeploymentId });
  expect((await berth.api('GET', `${site.base}/deployments`)).body.items[0].id).toBe(there.id);
  expect(await readCurrent(onH2())).toBe(release);
}, 180_000);

test('the histories of the static moves and the drain replay against the current code', async () => {
  const histories = [];
  for await (const info of berth.temporal.workflow.list({ query: 'ExecutionStatus != "Running"' })) {
    histories.push({ workflowId: info.workflowId, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
  }
  const errors = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'host-move-static-replay', dataConverter: berth.dataConverter }, histories)) {
    if (r.error) errors.push(`${r.workflowId}: ${String(r.error)}`);
  }
  expect(errors).toEqual([]);
}, 120_000);
