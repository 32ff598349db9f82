// Issue-4 benchmarks: deploy latency and rollback against raw Docker, zero downtime under load,
// and 50 environments deploying at once against 50 raw `docker run` + health loops.
import type { Client } from '@temporalio/client';
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeHttp } from '../src/http-probe.js';
import { startLoad } from '../test/support/load.js';
import type { BerthClient } from './berth-client.js';
import { rawRunUntil200, rawStartUntil200, removeBaselineContainers, stoppedBaselineContainer } from './docker-baseline.js';
import { profilePhase } from './cpu-profile.js';
import { deployCounts } from './deploy-counts.js';
import { deployTimeline, timelineMedians } from './deploy-timeline.js';
import { deployWorkflowId } from '../src/domain/workflow-ids.js';
import { cpuBetween, cpuSeconds } from './process-cpu.js';
import { fmtMs, median, percentile, type Row } from './stats.js';

export interface Images {
  a: string;
  b: string;
}

/**
 * The floor under a deploy or rollback, measured after the runs when given: Temporal's hops with
 * no work in them (bench/floor/temporal-floor.ts) and Traefik's own route change (traefik-floor.ts).
 */
type Floor = (runs: number) => Promise<{ deployMs: number; answerMs: number; leastMs: number; traefikMs: number }>;

/** The floor's line: the two parts, their sum, and the time the target leaves Berth on top of Docker's. */
function floorLine(what: string, runs: number, hops: Awaited<ReturnType<Floor>>, over: number, leaves: number): string {
  const sum = hops.deployMs + hops.traefikMs;
  return (
    `${what}, the floor (no work of Berth's in it, ${runs} runs each): Temporal's hops ${hops.deployMs.toFixed(1)} ms to the switch's end ` +
    `(the update answered after ${hops.answerMs.toFixed(1)} ms) + Traefik's route change ${hops.traefikMs.toFixed(1)} ms = ${sum.toFixed(1)} ms; ` +
    `Berth over Docker: ${over.toFixed(0)} ms; the target leaves ${leaves.toFixed(0)} ms${sum > leaves ? ' — less than the floor' : ''} ` +
    `(the least any request can take through Temporal, an update whose handler runs one activity on its own queue: ${hops.leastMs.toFixed(1)} ms to that activity's start)\n`
  );
}

export async function deployLatency(berth: BerthClient, docker: Docker, images: Images, runs: number, temporal?: Client, floor?: Floor): Promise<Row> {
  const app = await berth.createImageApp('latency', { drainSeconds: 0 });
  const baseline: number[] = [];
  const timelines: [string, number][][] = [];
  const times: number[] = [];
  const spans = new Map<string, number[]>();
  // Interleaved, so both see the same machine: one raw run, then one Berth deploy.
  for (let i = 0; i < runs; i++) {
    baseline.push((await rawRunUntil200(docker, images.a, 'latency')).ms);
    await removeBaselineContainers(docker, 'latency');
    const [image, version] = i % 2 === 0 ? [images.a, 'a'] : [images.b, 'b'];
    const t0 = performance.now();
    const sent = Date.now();
    const { deploymentId } = await berth.must('POST', `${app.base}/deployments`, { image });
    await berth.until(app.host, version);
    times.push(performance.now() - t0);
    await berth.finished(deploymentId);
    const detail = await berth.must('GET', `/api/v1/deployments/${deploymentId}`);
    for (const [name, ms] of phaseSpans(sent, detail)) spans.set(name, [...(spans.get(name) ?? []), ms]);
    if (temporal) timelines.push([...(await deployTimeline(temporal, sent, deploymentId, app.environmentId)), ['client saw the new version', times[times.length - 1] as number]]);
  }
  if (timelines.length) process.stdout.write(`deploy latency, Temporal's events after the request (medians):\n${timelineMedians(timelines)}\n`);
  // Where a deploy's time goes until traffic has moved (medians; the phases after route happen after).
  const until = ['api → recorded', 'queued', 'resolve', 'create', 'start', 'health', 'route'];
  process.stdout.write(`deploy latency, median ms: ${until.map((n) => `${n} ${Math.round(median(spans.get(n) ?? [0]))}`).join(', ')}\n`);
  const ratio = median(times) / median(baseline);
  if (floor) process.stdout.write(floorLine('deploy latency', runs, await floor(runs), median(times) - median(baseline), 0.2 * median(baseline)));
  return {
    benchmark: `deploy latency (API → new version via Traefik), ${runs} runs`,
    figure: `median ${fmtMs(median(times))}, p90 ${fmtMs(percentile(times, 90))}`,
    baseline: `docker run → 200: median ${fmtMs(median(baseline))}`,
    ratio: `${ratio.toFixed(2)}×`,
    target: '≤ 1.2×',
    met: ratio <= 1.2,
  };
}

/** Each phase's duration, and the time from the request to the deployment's record. */
export function phaseSpans(sentAt: number, d: { createdAt: string; phases: { phase: string; startedAt: string; endedAt: string | null }[] }): [string, number][] {
  const spans: [string, number][] = [['api → recorded', Date.parse(d.createdAt) - sentAt]];
  for (const p of d.phases) if (p.endedAt) spans.push([p.phase, Date.parse(p.endedAt) - Date.parse(p.startedAt)]);
  return spans;
}

export async function rollbackLatency(berth: BerthClient, docker: Docker, images: Images, runs: number, floor?: Floor): Promise<Row[]> {
  // No standby window (the default): each rollback starts the release's kept containers again.
  const app = await berth.createImageApp('rollback', { drainSeconds: 0, retention: 5 });
  const a = await berth.finished((await berth.must('POST', `${app.base}/deployments`, { image: images.a })).deploymentId);
  const b = await berth.finished((await berth.must('POST', `${app.base}/deployments`, { image: images.b })).deploymentId);
  const stopped = await stoppedBaselineContainer(docker, images.a, 'rollback');
  const times: number[] = [];
  const baseline: number[] = [];
  try {
    // Interleaved, so both see the same machine: one raw start, then one Berth rollback.
    for (let i = 0; i < runs; i++) {
      baseline.push(await rawStartUntil200(docker, stopped));
      const [release, version] = i % 2 === 0 ? [a.releaseId, 'a'] : [b.releaseId, 'b'];
      const t0 = performance.now();
      const { deploymentId } = await berth.must('POST', `${app.base}/rollback`, { releaseId: release });
      await berth.until(app.host, version);
      times.push(performance.now() - t0);
      await berth.finished(deploymentId);
    }
  } finally {
    await removeBaselineContainers(docker, 'rollback');
  }
  const figure = `median ${fmtMs(median(times))}, p90 ${fmtMs(percentile(times, 90))}`;
  const allowed = median(baseline) + 30;
  // The same hops as a deploy's (lane, child, the host's step, the switch) and the same route change.
  if (floor) process.stdout.write(floorLine('rollback', runs, await floor(runs), median(times) - median(baseline), 30));
  return [
    { benchmark: `rollback to a retained release, ${runs} runs`, figure, baseline: '-', ratio: '-', target: '≤ 1.0 s median', met: median(times) <= 1000 },
    {
      benchmark: `rollback to a retained release against docker start, ${runs} runs`,
      figure,
      baseline: `docker start → 200: median ${fmtMs(median(baseline))}`,
      ratio: `${(median(times) / median(baseline)).toFixed(2)}×`,
      target: '≤ 1.0× + 30 ms',
      met: median(times) <= allowed,
    },
  ];
}

export async function zeroDowntime(berth: BerthClient, images: Images, operations: number, rate: number, minRequests: number): Promise<Row> {
  const app = await berth.createImageApp('steady', { drainSeconds: 2, retention: 3 });
  await berth.finished((await berth.must('POST', `${app.base}/deployments`, { image: images.a })).deploymentId);
  const load = startLoad({
    url: berth.entryUrl,
    host: app.host,
    ratePerSecond: rate,
    maxRequests: minRequests * 3,
    maxMs: 600_000,
    acceptBodies: ['a', 'b'],
  });
  for (let i = 0; i < operations; i++) {
    // Alternate: deploy the other image, then roll back to the release live before it.
    const op =
      i % 2 === 0
        ? await berth.must('POST', `${app.base}/deployments`, { image: i % 4 === 0 ? images.b : images.a })
        : await berth.must('POST', `${app.base}/rollback`, {});
    const d = await berth.finished(op.deploymentId);
    if (d.status !== 'succeeded') throw new Error(`operation ${i} ended ${d.status}: ${d.message}`);
  }
  while (load.progress().sent < minRequests) await sleep(100);
  const result = await load.stop();
  return {
    benchmark: `zero downtime: ${operations} deploys/rollbacks under ${rate} req/s`,
    figure: `${result.failed} failed of ${result.sent} (p99 ${fmtMs(percentile(result.latenciesMs, 99))})`,
    baseline: '-',
    ratio: '-',
    target: `0 failed in ≥ ${minRequests}`,
    met: result.failed === 0 && result.sent >= minRequests,
  };
}

/**
 * How often each of the 50 waits polls, on both sides. At 10 ms the waits themselves (50 clients
 * opening a connection every 10 ms, through Traefik on Berth's side) took a good share of the 2
 * cores from what they measure; 50 ms adds at most 50 ms to a figure of seconds.
 */
const PARALLEL_POLL_MS = Number(process.env.BERTH_BENCH_PARALLEL_POLL_MS ?? 50);

/** The engine's processes, whose CPU the parallel run prints per phase. */
const ENGINE = ['dockerd', 'containerd', 'traefik', 'temporal'] as const;

export async function parallelEnvironments(berth: BerthClient, docker: Docker, images: Images, count: number, counts?: { temporal: Client; queries: { count: number } }): Promise<Row> {
  // One of each first, untimed, so neither side's figure holds a first run's warm-up (code loaded
  // and compiled, first-time work in the engine and Temporal): run alone, this benchmark used to
  // pay Berth's warm-up inside Berth's phase (docs/benchmarks.md, "The floor in every run, and a
  // warm-up for the 50").
  await rawRunUntil200(docker, images.a, 'parallel', PARALLEL_POLL_MS);
  await removeBaselineContainers(docker, 'parallel');
  const warm = await berth.createImageApp('many-warm', { drainSeconds: 0 });
  await berth.finished((await berth.must('POST', `${warm.base}/deployments`, { image: images.a })).deploymentId);

  const cpu0 = cpuSeconds(ENGINE);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => rawRunUntil200(docker, images.a, 'parallel', PARALLEL_POLL_MS).then(() => i)));
  const baseline = performance.now() - t0;
  const cpu1 = cpuSeconds(ENGINE);
  await removeBaselineContainers(docker, 'parallel');

  const apps: Awaited<ReturnType<BerthClient["createImageApp"]>>[] = [];
  for (let i = 0; i < count; i++) apps.push(await berth.createImageApp(`many${i}`, { drainSeconds: 0 }));
  const cpu2 = cpuSeconds(ENGINE);
  const stopProfile = await profilePhase();
  const queries0 = counts?.queries.count ?? 0;
  const polls0 = berth.polls;
  const self0 = process.cpuUsage();
  const t1 = performance.now();
  const sent = new Map<string, { at: number; ms: number }>();
  const deploymentIds = await Promise.all(
    apps.map(async (app) => {
      const at = Date.now();
      const { deploymentId } = await berth.must('POST', `${app.base}/deployments`, { image: images.a });
      await berth.until(app.host, 'a', 300_000, PARALLEL_POLL_MS);
      sent.set(deploymentId as string, { at, ms: Date.now() - at });
      return deploymentId as string;
    }),
  );
  const berthMs = performance.now() - t1;
  const self = process.cpuUsage(self0);
  await stopProfile();
  process.stdout.write(`  CPU during the ${count} raw runs: ${cpuBetween(cpu0, cpu1)}; during Berth's: ${cpuBetween(cpu2, cpuSeconds(ENGINE))}, this process (API, worker, client) ${((self.user + self.system) / 1e6).toFixed(1)} s\n`);
  if (counts) {
    // After the timed phase: each deploy's rest (verify, retire, prune), awaited through Temporal
    // (not the API, whose reads would count), then what one deploy cost. Statements: the API's
    // and the workflows' (and Berth's own background sweeps, a few in all).
    const answered = counts.queries.count - queries0;
    await Promise.all(deploymentIds.map((id) => counts.temporal.workflow.getHandle(deployWorkflowId(id)).result()));
    const total = counts.queries.count - queries0;
    process.stdout.write(`  ${await deployCounts(counts.temporal, deploymentIds, apps.map((a) => a.environmentId))}; database statements per deploy: ${(answered / count).toFixed(1)} until all answered, ${(total / count).toFixed(1)} to the deploys' ends\n`);
    // Where each deploy's time went while the others ran beside it (medians over the deploys).
    const timelines = await Promise.all(
      deploymentIds.map(async (id, i) => {
        const { at, ms } = sent.get(id) as { at: number; ms: number };
        return [...(await deployTimeline(counts.temporal, at, id, (apps[i] as (typeof apps)[number]).environmentId)), ['client saw the new version', ms]] as [string, number][];
      }),
    );
    process.stdout.write(`  each deploy, Temporal's events after its request (medians):\n${timelineMedians(timelines)}\n`);
  }
  // The client's share of this process's CPU: as many polls, as many at once and as far apart,
  // to host names Traefik has no route for (404s, as the polls before each switch were).
  const polls = berth.polls - polls0;
  const alone = await pollingCpu(berth.entryUrl, count, Math.ceil(polls / count));
  process.stdout.write(`  the client's ${polls} polls through Traefik alone: ${alone.toFixed(1)} s of this process's CPU\n`);
  const ratio = berthMs / baseline;
  return {
    benchmark: `${count} environments deploying at once (until all answer)`,
    figure: fmtMs(berthMs),
    baseline: `${count} raw docker run + 200 in parallel: ${fmtMs(baseline)}`,
    ratio: `${ratio.toFixed(2)}×`,
    target: '≤ 2×',
    met: ratio <= 2,
  };
}

/** CPU seconds of this process for `each` polls by each of `count` pollers (PARALLEL_POLL_MS apart). */
async function pollingCpu(entryUrl: string, count: number, each: number): Promise<number> {
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      for (let k = 0; k < each; k++) {
        await probeHttp(`${entryUrl}/`, { host: `no-route-${i}.invalid`, timeoutMs: 1000, expectedStatus: 200 });
        await sleep(PARALLEL_POLL_MS);
      }
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}
