// A static site placed on a second real host: a Docker daemon in a network namespace of its own
// (its own address) and a `berth worker --host h2` with a data directory of its own (h2's disk)
// that runs the static server (nginx) inside that namespace, on h2's address. The archive goes
// to h2 through the database; h2's worker unpacks, switches, confirms, watches, rolls back and
// heals there; Traefik in the root namespace routes the site's host name to h2's address.
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { staticUploads } from '../../db/schema/index.js';
import { dropStaleUploads, stashUpload } from '../../db/queries/static-uploads.js';
import { routeFileName } from '../../src/domain/route.js';
import { RELEASE_HEADER, SITE_HEADER, SITE_TOKEN_HEADER } from '../../src/domain/static-site.js';
import { staticSiteToken } from '../../src/secrets/static-site-token.js';
import { readCurrent } from '../../src/static/current-link.js';
import { sitePaths } from '../../src/static/site-paths.js';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { siteArchive, tarGz } from '../support/archives.js';
import type { TestBerth } from '../support/berth.js';
import type { AppFixture } from '../support/fixtures.js';
import { startLoad } from '../support/load.js';
import type { SecondDockerHost } from '../support/second-docker-host.js';
import { startStaticSecondHost, type StaticSecondHost } from '../support/static-second-host.js';
import { createStaticApp, deployArchive, filesUnder, uploadArchive } from '../support/static-sites.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

let h2Host: StaticSecondHost;
let berth: TestBerth;
let h2: SecondDockerHost;
let h2Data: string;
let h2StaticPort: number;
let site: AppFixture;
const releases: Record<string, string> = {};
const v1 = siteArchive({ 'index.html': 'site v1', 'about/index.html': 'about v1' });
const v2 = siteArchive({ 'index.html': 'site v2' });

beforeAll(async () => {
  // The installation's own static server runs too: the test shows it does not have h2's site.
  h2Host = await startStaticSecondHost();
  ({ berth, h2, dataDir: h2Data, staticPort: h2StaticPort } = h2Host);
  await h2Host.startWorker();
}, 180_000);

afterAll(async () => {
  await h2Host?.close();
}, 120_000);

const body = async () => (await throughTraefik(site.host)).body.trim();
const onH2 = () => sitePaths(join(h2Data, 'static'), site.app, site.env);
const onH1 = () => sitePaths(berth.config.static.dir, site.app, site.env);
/** The API receives uploads into the site's incoming directory on its own disk: nothing may stay there, nor any release. */
const nothingOnH1 = () => filesUnder(onH1().root);
/** Asks a static server for the site directly: as Traefik does (the site header and the installation's token), or forged. */
function askServer(url: string, headers: Record<string, string> = { [SITE_TOKEN_HEADER]: staticSiteToken(berth.ring), [SITE_HEADER]: `${site.app}/${site.env}` }): Promise<{ status: number; release: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { headers, agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, release: res.headers[RELEASE_HEADER.toLowerCase()] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the static server of h2 listens on h2’s address only, inside its namespace', () => {
  const listening = execFileSync('/usr/bin/nsenter', [`--net=/var/run/netns/${h2.netns}`, '/usr/bin/ss', '-ltnH'], { stdio: 'pipe' }).toString();
  const mine = listening.split('\n').filter((l) => l.includes(`:${h2StaticPort} `));
  expect(mine.length).toBeGreaterThan(0);
  for (const line of mine) expect(line).toContain(`${h2.address}:${h2StaticPort}`);
  expect(listening).not.toMatch(new RegExp(`(0\\.0\\.0\\.0|\\*|\\[::\\]):${h2StaticPort} `));
});

test('a static site placed on h2 is unpacked on h2’s disk and served from h2 through Traefik', async () => {
  site = await createStaticApp(berth, { app: 'far-site', environment: { hostId: 'h2', watch: { seconds: 2 } } });
  expect((await berth.api('GET', site.base)).body).toMatchObject({ hostId: 'h2', placement: 'h2' });
  const d = await waitForDeployment(berth, await deployArchive(berth, site, v1), 90_000);
  expect(d.status, d.message).toBe('succeeded');
  releases.v1 = (await berth.api('GET', site.base)).body.liveReleaseId;
  expect(await body()).toBe('site v1');
  expect((await throughTraefik(site.host, '/about/')).body.trim()).toBe('about v1');
  expect((await throughTraefik(site.host)).headers[RELEASE_HEADER.toLowerCase()]).toBe(releases.v1);

  // The files are on h2's disk, `current` there names the live release; none on the installation's.
  expect(await readCurrent(onH2())).toBe(releases.v1);
  expect(readFileSync(join(onH2().release(releases.v1 as string), 'index.html'), 'utf8')).toBe('site v1');
  expect(await nothingOnH1()).toEqual([]);
  // The archive went through the database and is gone from it once h2 had its copy.
  expect(await berth.database.db.select({ id: staticUploads.deploymentId }).from(staticUploads).where(eq(staticUploads.deploymentId, d.id))).toEqual([]);
  expect(existsSync(onH2().staged(d.id))).toBe(false);

  // Asked directly, h2's static server has the site and the installation's does not.
  const h2Url = `http://${h2.address}:${h2StaticPort}`;
  const fromH2 = await askServer(h2Url);
  expect(fromH2).toEqual({ status: 200, release: releases.v1 });
  expect((await askServer(berth.config.static.url)).status).toBe(404);
  // Anything else on h2's network naming the site (or one of its releases) without the token gets nothing.
  const key = `${site.app}/${site.env}`;
  const forgeries: Record<string, string>[] = [{ [SITE_HEADER]: key }, { [SITE_HEADER]: `${key}@${releases.v1}` }, { [SITE_TOKEN_HEADER]: 'f'.repeat(64), [SITE_HEADER]: key }, { [SITE_TOKEN_HEADER]: '', [SITE_HEADER]: key }];
    for (const forged of forgeries) {
    expect(await askServer(h2Url, forged), JSON.stringify(forged)).toEqual({ status: 404, release: undefined });
  }

  // Traefik's route leads to h2's static server, nowhere else.
  const route = readFileSync(join(inject('services').traefik.routesDir, routeFileName(berth.config.instance, site.environmentId)), 'utf8');
  expect(route).toContain(`http://${h2.address}:${h2StaticPort}`);
  expect(route).not.toContain('127.0.0.1');
});

test('v2 on h2 under steady load drops no request; a rollback brings v1 back from h2’s disk', async () => {
  // An archive stranded on h2 an hour ago (the cleanup schedule sweeps the installation's host
  // only) goes when h2 next receives one; one within the grace stays.
  mkdirSync(onH2().incoming, { recursive: true });
  const [stranded, fresh] = [onH2().staged('dep_strandedlongago01'), onH2().staged('dep_arrivingnow00001')];
  for (const f of [stranded, fresh]) writeFileSync(f, 'archive');
  utimesSync(stranded, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  const load = startLoad({ url: inject('services').traefik.entryUrl, host: site.host, ratePerSecond: 100, maxRequests: 4000, maxMs: 60_000, acceptBodies: ['site v1', 'site v2'] });
  const d = await waitForDeployment(berth, await deployArchive(berth, site, v2), 90_000);
  expect([existsSync(stranded), existsSync(fresh)]).toEqual([false, true]);
  rmSync(fresh);
  await new Promise((r) => setTimeout(r, 500));
  const result = await load.stop();
  expect(d.status, d.message).toBe('succeeded');
  // Confirmed and watched (2 s) by h2's worker before it counts as done.
  expect(d.phases.filter((p: { phase: string }) => ['confirm', 'watch'].includes(p.phase)).map((p: { outcome: string }) => p.outcome)).toEqual(['succeeded', 'succeeded']);
  expect(result.failures).toEqual([]);
  expect(result.failed).toBe(0);
  expect(result.sent).toBeGreaterThan(50);
  expect(result.bodies.get('site v2') ?? 0).toBeGreaterThan(0);
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  console.log(
    `placement-static: v2 on h2 under load: ${result.sent} requests, ${result.failed} failed, p95 ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(1)} ms; deploy ${Date.parse(d.finishedAt) - Date.parse(d.createdAt)} ms`,
  );
  releases.v2 = (await berth.api('GET', site.base)).body.liveReleaseId;
  expect(await body()).toBe('site v2');
  expect(await readCurrent(onH2())).toBe(releases.v2);

  const rollback = await berth.api('POST', `${site.base}/rollback`, {});
  expect(rollback.status, JSON.stringify(rollback.body)).toBe(202);
  const r = await waitForDeployment(berth, rollback.body.deploymentId, 90_000);
  expect(r.status, r.message).toBe('succeeded');
  expect(r.phases.find((p: { phase: string }) => p.phase === 'confirm')?.outcome).toBe('succeeded');
  expect(await body()).toBe('site v1');
  expect(await readCurrent(onH2())).toBe(releases.v1);
  expect(await nothingOnH1()).toEqual([]);
});

test('reconcile heals the site on h2: a removed `current` and a removed route come back', async () => {
  unlinkSync(onH2().current);
  const routeFile = join(inject('services').traefik.routesDir, routeFileName(berth.config.instance, site.environmentId));
  rmSync(routeFile);
  // Asked through the API (whose own host is the default one), healed by h2's worker.
  const res = await berth.api('POST', '/api/v1/reconcile', { app: site.app, env: site.env, wait: true });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(await readCurrent(onH2())).toBe(releases.v1);
  expect(readFileSync(routeFile, 'utf8')).toContain(`http://${h2.address}:${h2StaticPort}`);
  await waitFor('v1 through Traefik again', async () => (await body().catch(() => '')) === 'site v1', 30_000);
  expect(await nothingOnH1()).toEqual([]);
});

test('h2’s static server lives with its worker: SIGKILLed, the site is down; the worker back, it serves again', async () => {
  const exited = new Promise((r) => h2Host.worker?.once('exit', r));
  h2Host.worker?.kill('SIGKILL');
  await exited;
  // Its watchdog takes nginx down with it (nothing is left holding the port for the next start).
  await waitFor('h2’s static server gone', async () => (await askServer(`http://${h2.address}:${h2StaticPort}`).catch(() => null)) === null, 15_000);
  const startedAt = Date.now();
  await h2Host.startWorker();
  await waitFor('v1 through Traefik from h2 again', async () => (await body().catch(() => '')) === 'site v1', 30_000);
  console.log(`placement-static: h2 worker restarted, site served again ${Date.now() - startedAt} ms after the restart began`);
  expect(await askServer(`http://${h2.address}:${h2StaticPort}`)).toEqual({ status: 200, release: releases.v1 });
});

test('a refused archive for a site on h2 changes nothing: no stash, no file on either host', async () => {
  const before = await berth.api('GET', site.base);
  const res = await uploadArchive(berth, site, tarGz([{ path: '../escape.html', body: 'x' }]));
  expect(res.status).toBe(400);
  expect(res.body.error.issues[0].path).toBe('../escape.html');
  expect(await berth.database.db.select({ id: staticUploads.deploymentId }).from(staticUploads)).toEqual([]);
  expect(await nothingOnH1()).toEqual([]);
  expect(await filesUnder(onH2().incoming)).toEqual([]);
  expect((await berth.api('GET', site.base)).body.liveReleaseId).toBe(before.body.liveReleaseId);
  expect(await body()).toBe('site v1');
});

test('an archive stashed for a deployment that never ran is swept by the cleanup', async () => {
  const file = join(h2Data, 'never.tar.gz');
  writeFileSync(file, Buffer.alloc(2_500_000, 7));
  expect(await stashUpload(berth.database.db, 'dep_never_ran', file)).toBe(3);
  expect(await dropStaleUploads(berth.database.db, { graceMs: 60_000, dryRun: false })).toEqual([]);
  expect(await dropStaleUploads(berth.database.db, { graceMs: -1000, dryRun: true })).toEqual(['dep_never_ran']);
  expect(await dropStaleUploads(berth.database.db, { graceMs: -1000, dryRun: false })).toEqual(['dep_never_ran']);
  expect(await berth.database.db.select().from(staticUploads)).toEqual([]);
});

test('the histories of the deploys, rollback and reconcile on h2 replay against the current code', async () => {
  const histories = [];
  for await (const info of berth.temporal.workflow.list({ query: 'ExecutionStatus != "Running"' })) {
    histories.push({ workflowId: info.workflowId, history: await berth.temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory() });
  }
  expect(histories.length).toBeGreaterThan(3);
  const errors = [];
  for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, replayName: 'placement-static-replay', dataConverter: berth.dataConverter }, histories)) {
    if (r.error) errors.push(`${r.workflowId}: ${String(r.error)}`);
  }
  expect(errors).toEqual([]);
}, 120_000);
