// Fault-injection rounds: each round requests a deploy, injects one fault at a random moment,
// then waits until the installation has converged: every requested deploy is final with a
// complete history, exactly one container per live replica runs, no replica of a release has two
// containers, nothing is leaked (containers or route files), and traffic through Traefik is
// served by the live release.
import { FINAL_STATUSES } from '../../src/domain/deployment.js';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LABEL } from '../../src/domain/labels.js';
import { routeFilePrefix } from '../../src/domain/route.js';
import { probeHttp } from '../../src/http-probe.js';
import type { FaultCluster, FaultKind } from './fault-cluster.js';
import type { Json } from './json.js';

export interface RoundResult {
  round: number;
  kind: FaultKind;
  deploymentId: string;
  status: string;
  /** The deployment's message (why it failed, when it did). */
  message: string | null;
  /** From the faulty part answering again to every invariant holding. */
  convergeMs: number;
  problems: string[];
}

const APP = 'faulty';
const BASE = `/api/v1/apps/${APP}/environments/prod`;
const REPLICAS = 2;
const CONVERGE_TIMEOUT_MS = 180_000;

async function call(cluster: FaultCluster, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${cluster.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${cluster.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** Retries while the API (or what it depends on) is down; a 4xx is final. */
export async function must(cluster: FaultCluster, method: string, path: string, body?: unknown): Promise<Json> {
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await call(cluster, method, path, body);
      if (res.status < 300) return res.body;
      if (res.status < 500 && res.status !== 409) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      last = `${res.status} ${JSON.stringify(res.body)}`;
    } catch (err) {
      if ((err as Error).message.includes('→ 4')) throw err;
      last = (err as Error).message;
    }
    await sleep(250);
  }
  throw new Error(`${method} ${path} kept failing: ${last}`);
}

export async function setUpFaultApp(cluster: FaultCluster, images: Record<string, string>): Promise<void> {
  await must(cluster, 'POST', '/api/v1/projects', { name: 'faults' });
  await must(cluster, 'POST', '/api/v1/apps', {
    project: 'faults',
    name: APP,
    port: 8080,
    replicas: REPLICAS,
    healthCheck: { path: '/healthz', intervalMs: 100, timeoutMs: 1000, startPeriodMs: 5000 },
  });
  await must(cluster, 'POST', `/api/v1/apps/${APP}/environments`, { name: 'prod', retention: 2, drainSeconds: 1 });
  const first = await must(cluster, 'POST', `${BASE}/deployments`, { image: Object.keys(images)[0] });
  const done = await waitFinal(cluster, first.deploymentId);
  if (done.status !== 'succeeded') throw new Error(`the app's first deploy failed: ${done.message}\n${cluster.network()}`);
}

export async function waitFinal(cluster: FaultCluster, id: string): Promise<Json> {
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  for (;;) {
    const d = await must(cluster, 'GET', `/api/v1/deployments/${id}`);
    if ((FINAL_STATUSES as readonly string[]).includes(d.status)) return d;
    if (Date.now() > deadline) throw new Error(`deployment ${id} still ${d.status}`);
    await sleep(200);
  }
}

/** What is wrong right now (empty: converged). */
async function problems(cluster: FaultCluster, images: Record<string, string>, host: string): Promise<string[]> {
  const found: string[] = [];
  const env = await must(cluster, 'GET', BASE);
  const history = (await must(cluster, 'GET', `${BASE}/deployments?limit=200`)).items as Json[];
  for (const d of history) {
    if (!(FINAL_STATUSES as readonly string[]).includes(d.status)) found.push(`deployment ${d.id} is ${d.status}`);
    else if (d.phases.some((p: Json) => p.outcome === 'running')) found.push(`deployment ${d.id} has a phase still running`);
  }
  const releases = (await must(cluster, 'GET', `${BASE}/releases`)).items as Json[];
  const live = releases.find((r) => r.id === env.liveReleaseId);
  if (!live) return [...found, 'no live release'];
  const retained = new Set(history.filter((d) => d.status === 'succeeded').map((d) => d.releaseId));
  const containers = await cluster.docker.listContainers({ all: true, filters: { label: [`${LABEL.environment}=${env.id}`] } });
  const running = containers.filter((c) => c.State === 'running');
  const liveRunning = running.filter((c) => c.Labels[LABEL.release] === live.id);
  if (liveRunning.length !== REPLICAS || new Set(liveRunning.map((c) => c.Labels[LABEL.replica])).size !== REPLICAS) {
    found.push(`${liveRunning.length} running containers of the live release (want ${REPLICAS}, one per replica)`);
  }
  if (running.length !== liveRunning.length) found.push(`${running.length - liveRunning.length} other containers running`);
  // Names derive from the deployment and replica, so a second container of one release's
  // replica could only come from a step that ran twice and did not find the first.
  const perReplica = new Map<string, number>();
  for (const c of containers) {
    const key = `${c.Labels[LABEL.release]}/${c.Labels[LABEL.replica]}`;
    perReplica.set(key, (perReplica.get(key) ?? 0) + 1);
  }
  const duplicates = [...perReplica.values()].reduce((n, count) => n + count - 1, 0);
  if (duplicates) found.push(`${duplicates} duplicate container(s): two of one release's replica`);
  const releasesKept = new Set(containers.map((c) => c.Labels[LABEL.release]));
  if (releasesKept.size > 2) found.push(`containers of ${releasesKept.size} releases kept (retention 2)`);
  for (const c of containers) if (!retained.has(c.Labels[LABEL.release])) found.push(`leaked container ${c.Names[0]}`);
  const routeFiles = readdirSync(cluster.routesDir).filter((n) => n.startsWith(routeFilePrefix(cluster.instance)) && n.endsWith('.yml'));
  if (routeFiles.length !== 1) found.push(`${routeFiles.length} route files`);
  const want = images[live.imageRef];
  for (let i = 0; i < 4; i++) {
    const res = await probeHttp(`${cluster.entryUrl}/`, { host, timeoutMs: 2000, expectedStatus: 200 });
    if (!res.ok || res.body.trim() !== want) {
      found.push(`traffic: ${res.reason ?? res.body.trim()} (want ${want})`);
      break;
    }
  }
  return found;
}

export async function runFaultRound(
  cluster: FaultCluster,
  round: number,
  kind: FaultKind,
  images: Record<string, string>,
  random: () => number,
): Promise<RoundResult> {
  const refs = Object.keys(images);
  const image = refs[round % refs.length] as string;
  const env = await must(cluster, 'GET', BASE);
  const host = env.hosts[0] as string;
  const { deploymentId } = await must(cluster, 'POST', `${BASE}/deployments`, { image });
  return faultUntilConverged(cluster, { round, kind, deploymentId, random }, () => problems(cluster, images, host));
}

/**
 * Injects the fault at a random moment of a deployment, then polls until the deployment has
 * ended and `problems` finds nothing (or the time runs out): the round's result either way.
 */
export async function faultUntilConverged(
  cluster: FaultCluster,
  at: { round: number; kind: FaultKind; deploymentId: string; random: () => number; timeoutMs?: number },
  problems: () => Promise<string[]>,
): Promise<RoundResult> {
  const { round, kind, deploymentId } = at;
  await sleep(Math.floor(at.random() * 1500)); // the fault lands somewhere in the deploy
  await cluster.inject(kind);
  const started = Date.now();
  let last: string[] = [];
  let status = 'unknown';
  let message: string | null = null;
  while (Date.now() - started < (at.timeoutMs ?? CONVERGE_TIMEOUT_MS)) {
    try {
      ({ status, message } = await waitFinal(cluster, deploymentId));
      last = await problems();
      if (last.length === 0) return { round, kind, deploymentId, status, message, convergeMs: Date.now() - started, problems: [] };
    } catch (err) {
      last = [(err as Error).message];
    }
    await sleep(250);
  }
  return { round, kind, deploymentId, status, message, convergeMs: Date.now() - started, problems: last };
}

/** A small deterministic random source, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4_294_967_296;
  };
}

/** SIGKILLs one running container of the live release; returns ms until everything holds again. */
export async function killLiveContainer(cluster: FaultCluster, images: Record<string, string>): Promise<number> {
  const env = await must(cluster, 'GET', BASE);
  const containers = await cluster.docker.listContainers({ filters: { label: [`${LABEL.release}=${env.liveReleaseId}`] } });
  const victim = containers[Math.floor(Math.random() * containers.length)];
  if (!victim) throw new Error('no live container to kill');
  await cluster.docker.getContainer(victim.Id).kill();
  const killedAt = Date.now();
  while (Date.now() - killedAt < CONVERGE_TIMEOUT_MS) {
    if ((await problems(cluster, images, env.hosts[0]).catch(() => ['unknown'])).length === 0) return Date.now() - killedAt;
    await sleep(20);
  }
  throw new Error('a killed container was not back within the time limit');
}
