// Issue-8 benchmark: a five-service stack in two dependency levels, rolled out by Berth until
// every service is healthy and routed, against `docker stack deploy` of the same compose file
// plus waiting until every task runs (healthy, where it has a healthcheck), interleaved in
// the same run on the same Swarm.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import type { BerthClient } from './berth-client.js';
import { fmtMs, median, type Row } from './stats.js';

const run = promisify(execFile);
const DOCKER = '/usr/bin/docker';
const POLL_MS = 20;
const TARGET = 1.5;
const SERVICES = 5;

/** Valid for both: Docker's v3 format (list depends_on, dnsrr) and Berth's compose checks. */
function composeFile(image: string): string {
  const health = `
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
      interval: 100ms
      timeout: 1s
      retries: 3
      start_period: 5s
    deploy: { endpoint_mode: dnsrr }`;
  return `version: "3.8"
services:
  db:
    image: ${image}${health}
  cache:
    image: ${image}${health}
  queue:
    image: ${image}${health}
  worker:
    image: ${image}
    depends_on: [db, queue]${health}
  web:
    image: ${image}
    depends_on: [db, cache]
    deploy: { endpoint_mode: dnsrr }
    x-berth: { port: 8080, path: /healthz }
`;
}

/** `docker stack deploy` until every service's tasks run. */
async function dockerStackDeploy(docker: Docker, file: string, name: string): Promise<number> {
  const t0 = performance.now();
  await run(DOCKER, ['stack', 'deploy', '--resolve-image', 'never', '-c', file, name]);
  for (;;) {
    const tasks = (await docker.listTasks({ filters: { label: [`com.docker.stack.namespace=${name}`], 'desired-state': ['running'] } })) as {
      Status?: { State?: string };
    }[];
    if (tasks.length === SERVICES && tasks.every((t) => t.Status?.State === 'running')) return performance.now() - t0;
    await sleep(POLL_MS);
  }
}

async function removeDockerStack(docker: Docker, name: string): Promise<void> {
  await run(DOCKER, ['stack', 'rm', name]);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const left = await docker.listContainers({ all: true, filters: { label: [`com.docker.stack.namespace=${name}`] } });
    const nets = await docker.listNetworks({ filters: { label: [`com.docker.stack.namespace=${name}`] } });
    if (left.length === 0 && nets.length === 0) return;
    await sleep(200);
  }
}

/** Berth: POST the deployment until every service's health and route phases have ended. */
async function berthRollout(berth: BerthClient, base: string, host: string): Promise<{ ms: number; deploymentId: string }> {
  const t0 = performance.now();
  const { deploymentId } = await berth.must('POST', `${base}/deployments`, {});
  for (;;) {
    const d = await berth.must('GET', `/api/v1/deployments/${deploymentId}`);
    if (['failed', 'cancelled'].includes(d.status)) throw new Error(`stack rollout ${d.status}: ${d.message}`);
    const ready = (d.services as { phases: { phase: string; outcome: string }[] }[]).filter((s) =>
      s.phases.some((p) => p.phase === 'route' && (p.outcome === 'succeeded' || p.outcome === 'skipped')),
    );
    if (ready.length === SERVICES) break;
    await sleep(POLL_MS);
  }
  await berth.until(host, 'a', 10_000);
  const ms = performance.now() - t0;
  if (process.env.BERTH_BENCH_VERBOSE) process.stdout.write(`${breakdown(await berth.must('GET', `/api/v1/deployments/${deploymentId}`))}\n`);
  return { ms, deploymentId };
}

interface PhaseView {
  phase: string;
  startedAt: string;
  endedAt: string | null;
}

/** Where a rollout's time went: its phases and each service's, in ms from the deployment's start. */
function breakdown(d: { createdAt: string; phases: PhaseView[]; services: { service: string; phases: PhaseView[] }[] }): string {
  const t0 = Date.parse(d.createdAt);
  const span = (p: PhaseView) => `${p.phase} ${Date.parse(p.startedAt) - t0}-${p.endedAt ? Date.parse(p.endedAt) - t0 : '?'}`;
  return [d.phases.map(span).join(', '), ...d.services.map((s) => `  ${s.service}: ${s.phases.map(span).join(', ')}`)].join('\n');
}

export async function stackRollout(berth: BerthClient, docker: Docker, image: string, runs: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-stack-'));
  const file = join(dir, 'compose.yml');
  writeFileSync(file, composeFile(image));
  await berth.must('POST', '/api/v1/projects', { name: 'p-stackbench' });
  await berth.must('POST', '/api/v1/apps', { project: 'p-stackbench', name: 'stackbench', kind: 'stack', compose: composeFile(image) });
  const baseline: number[] = [];
  const times: number[] = [];
  try {
    // Interleaved, each from nothing: a new stack name, a new Berth environment.
    for (let i = 0; i < runs; i++) {
      const name = `berthbench${process.pid}x${i}`;
      baseline.push(await dockerStackDeploy(docker, file, name));
      await removeDockerStack(docker, name);

      const env = await berth.must('POST', '/api/v1/apps/stackbench/environments', { name: `r${i}`, drainSeconds: 0 });
      const base = `/api/v1/apps/stackbench/environments/r${i}`;
      const { ms, deploymentId } = await berthRollout(berth, base, env.hosts[0]);
      times.push(ms);
      await berth.finished(deploymentId);
      const teardown = await berth.must('DELETE', `${base}/stack`);
      await berth.finished(teardown.deploymentId);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = median(times) / median(baseline);
  const perService = (median(times) - median(baseline)) / SERVICES;
  return {
    benchmark: `stack rollout: ${SERVICES} services, 2 levels, until all healthy and routed, ${runs} runs`,
    figure: `median ${fmtMs(median(times))} (+${fmtMs(perService)} per service)`,
    baseline: `docker stack deploy → all tasks running: median ${fmtMs(median(baseline))}`,
    ratio: `${ratio.toFixed(2)}×`,
    target: `≤ ${TARGET}×`,
    met: ratio <= TARGET,
  };
}
