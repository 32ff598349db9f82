// Fault-injection rounds for a stack: each round sets the stack's web image and deploys it,
// injects one fault at a random moment, then waits until the installation has converged: every
// requested deploy is final with a complete history; Swarm runs exactly the live release's
// services (each with its replicas' containers, none of an earlier release left); the stack has
// one route file (its exposed service's); and traffic through Traefik is served by the live
// deployment, with the live release's web.
import { FINAL_STATUSES } from '../../src/domain/deployment.js';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { LABEL, labelFilter } from '../../src/domain/labels.js';
import { routeFilePrefix } from '../../src/domain/route.js';
import { stackNamespace } from '../../src/domain/stack.js';
import { DEPLOYMENT_HEADER } from '../../src/domain/route.js';
import { probeHttp } from '../../src/http-probe.js';
import type { FaultCluster, FaultKind } from './fault-cluster.js';
import { faultUntilConverged, must, waitFinal, type RoundResult } from './fault-rounds.js';
import type { Json } from './json.js';

/** The faults a stack rides out: its worker, its Docker daemon (and Swarm), its router. */
export const STACK_FAULT_KINDS = ['worker', 'docker', 'traefik'] as const satisfies readonly FaultKind[];

const APP = 'faulty-stack';
const BASE = `/api/v1/apps/${APP}/environments/prod`;
const REPLICAS = { web: 2, worker: 1 };
const CONVERGE_TIMEOUT_MS = 180_000;
const COMPOSE = `
services:
  web:
    image: \${WEB_IMAGE:?set WEB_IMAGE}
    deploy: { replicas: ${REPLICAS.web} }
    x-berth: { port: 8080, path: /healthz }
  worker:
    image: \${WORKER_IMAGE:?set WORKER_IMAGE}
`;

/** What each deployment asked web to run (its answer), by deployment id. */
const versions = new Map<string, string>();

async function deployWeb(cluster: FaultCluster, images: Record<string, string>, image: string): Promise<string> {
  await must(cluster, 'PUT', `${BASE}/variables`, { variables: { WEB_IMAGE: image, WORKER_IMAGE: Object.keys(images)[0] } });
  const { deploymentId } = await must(cluster, 'POST', `${BASE}/deployments`, {});
  versions.set(deploymentId, images[image] as string);
  return deploymentId;
}

export async function setUpFaultStack(cluster: FaultCluster, images: Record<string, string>): Promise<void> {
  await must(cluster, 'POST', '/api/v1/projects', { name: 'stack-faults' });
  await must(cluster, 'POST', '/api/v1/apps', { project: 'stack-faults', name: APP, kind: 'stack', compose: COMPOSE });
  await must(cluster, 'POST', `/api/v1/apps/${APP}/environments`, { name: 'prod', retention: 2, drainSeconds: 1 });
  const first = await waitFinal(cluster, await deployWeb(cluster, images, Object.keys(images)[0] as string));
  if (first.status !== 'succeeded') throw new Error(`the stack's first deploy ${first.status}: ${first.message}\n${cluster.network()}`);
}

/** What is wrong right now (empty: converged). */
async function problems(cluster: FaultCluster): Promise<string[]> {
  const found: string[] = [];
  const env = await must(cluster, 'GET', BASE);
  const history = (await must(cluster, 'GET', `${BASE}/deployments?limit=200`)).items as Json[];
  for (const d of history) {
    if (!(FINAL_STATUSES as readonly string[]).includes(d.status)) found.push(`deployment ${d.id} is ${d.status}`);
    else if (d.phases.some((p: Json) => p.outcome === 'running')) found.push(`deployment ${d.id} has a phase still running`);
  }
  const want = versions.get(env.liveDeploymentId);
  if (!want) return [...found, `live deployment ${env.liveDeploymentId} is none this run made`];

  const namespace = stackNamespace(env.id);
  const services = (await cluster.docker.listServices({ filters: { label: labelFilter(cluster.instance, { [LABEL.stack]: namespace }) } })) as Json[];
  for (const [name, replicas] of Object.entries(REPLICAS)) {
    const of = services.filter((s) => s.Spec?.Labels?.[LABEL.service] === name);
    if (of.length !== 1) {
      found.push(`${of.length} Swarm services of ${name} (want 1)`);
      continue;
    }
    const running = await cluster.docker.listContainers({ filters: { label: [`com.docker.swarm.service.name=${of[0].Spec.Name}`], status: ['running'] } });
    if (running.length !== replicas) found.push(`${running.length} running containers of ${name} (want ${replicas})`);
  }
  if (services.length !== Object.keys(REPLICAS).length) found.push(`${services.length} Swarm services of the stack (want ${Object.keys(REPLICAS).length})`);

  const prefix = `${routeFilePrefix(cluster.instance)}${env.id}`;
  const routeFiles = readdirSync(cluster.routesDir).filter((n) => n.startsWith(prefix) && n.endsWith('.yml'));
  if (routeFiles.length !== 1) found.push(`${routeFiles.length} route files of the stack (want 1: web's)`);

  for (let i = 0; i < 4; i++) {
    const res = await probeHttp(`${cluster.entryUrl}/`, { host: env.hosts[0], timeoutMs: 2000, expectedStatus: 200 });
    const by = res.headers[DEPLOYMENT_HEADER.toLowerCase()];
    if (!res.ok || res.body.trim() !== want || by !== env.liveDeploymentId) {
      found.push(`traffic: ${res.reason ?? `${res.body.trim()} from ${String(by)}`} (want ${want} from ${env.liveDeploymentId})`);
      break;
    }
  }
  return found;
}

export async function runStackFaultRound(cluster: FaultCluster, round: number, kind: FaultKind, images: Record<string, string>, random: () => number): Promise<RoundResult> {
  const refs = Object.keys(images);
  const deploymentId = await deployWeb(cluster, images, refs[round % refs.length] as string);
  return faultUntilConverged(cluster, { round, kind, deploymentId, random, timeoutMs: CONVERGE_TIMEOUT_MS }, () => problems(cluster));
}

/** SIGKILLs one running task container of web; returns ms until everything holds again. */
export async function killStackTask(cluster: FaultCluster): Promise<number> {
  const env = await must(cluster, 'GET', BASE);
  const containers = await cluster.docker.listContainers({
    filters: { label: [`${LABEL.stack}=${stackNamespace(env.id)}`, `${LABEL.service}=web`], status: ['running'] },
  });
  const victim = containers[Math.floor(Math.random() * containers.length)];
  if (!victim) throw new Error('no running task of web to kill');
  await cluster.docker.getContainer(victim.Id).kill();
  const killedAt = Date.now();
  while (Date.now() - killedAt < CONVERGE_TIMEOUT_MS) {
    if ((await problems(cluster).catch(() => ['unknown'])).length === 0) return Date.now() - killedAt;
    await sleep(20);
  }
  throw new Error('a killed task was not replaced and routed within the time limit');
}
