// Rollback inside the hot-standby window (the previous release still runs: a route switch) beside
// a rollback outside it (its containers stopped and kept: started and health-gated again, as
// before standby existed), both from the API call until Traefik answers with the old version.
// Interleaved runs on two environments, so both see the same machine. Inside the window an idle
// lane switches the route itself (workflows/standby-switch.ts): no deploy workflow, no launch.
import { loadavg } from 'node:os';
import type { BerthClient } from './berth-client.js';
import { fmtMs, median, percentile, type Row } from './stats.js';
import { phaseSpans, type Images } from './image-deploys.js';

export async function standbyRollback(berth: BerthClient, images: Images, runs: number): Promise<Row[]> {
  const warm = await berth.createImageApp('standby-warm', { drainSeconds: 0, standbySeconds: 3600 });
  const cold = await berth.createImageApp('standby-cold', { drainSeconds: 0, standbySeconds: 0 });
  for (const app of [warm, cold]) {
    for (const image of [images.a, images.b]) await berth.finished((await berth.must('POST', `${app.base}/deployments`, { image })).deploymentId);
  }
  const times = { warm: [] as number[], cold: [] as number[] };
  const answered = { warm: [] as number[], cold: [] as number[] };
  const spans = { warm: new Map<string, number[]>(), cold: new Map<string, number[]>() };
  for (let i = 0; i < runs; i++) {
    // b is live: roll back to a, then (next run) back to b, and so on.
    const version = i % 2 === 0 ? 'a' : 'b';
    for (const [name, app] of [['warm', warm], ['cold', cold]] as const) {
      const t0 = performance.now();
      const sent = Date.now();
      const { deploymentId } = await berth.must('POST', `${app.base}/rollback`, {});
      answered[name].push(performance.now() - t0);
      await berth.until(app.host, version, 60_000, 1);
      times[name].push(performance.now() - t0);
      const d = await berth.finished(deploymentId);
      if (d.status !== 'succeeded') throw new Error(`${name} rollback ${i} ended ${d.status}: ${d.message}`);
      for (const [phase, ms] of phaseSpans(sent, d)) spans[name].set(phase, [...(spans[name].get(phase) ?? []), ms]);
      // The switch's own split (activities/router/standby-switch.ts writes it in the route phase).
      const split = /checks (\d+) ms, write (\d+) ms, Traefik (\d+) ms/.exec(d.phases.find((p: { phase: string }) => p.phase === 'route')?.message ?? '');
      if (name === 'warm' && split) ['checks', 'write', 'Traefik'].forEach((k, j) => spans.warm.set(`switch: ${k}`, [...(spans.warm.get(`switch: ${k}`) ?? []), Number(split[j + 1])]));
    }
  }
  // Where the time goes until the switch (medians): the warm path has no resolve or start.
  const until = { warm: ['api → recorded', 'queued', 'health', 'route', 'switch: checks', 'switch: write', 'switch: Traefik'], cold: ['api → recorded', 'queued', 'resolve', 'start', 'health', 'route'] };
  for (const name of ['warm', 'cold'] as const) {
    const phases = until[name].map((n) => `${n} ${Math.round(median(spans[name].get(n) ?? [0]))}`).join(', ');
    process.stdout.write(`${name} rollback, median ms: ${phases}; the API answered after ${Math.round(median(answered[name]))}\n`);
  }
  process.stdout.write(`load average after the runs: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  const row = (name: 'warm' | 'cold', benchmark: string, target: string, met: boolean | null): Row => ({
    benchmark,
    figure: `p50 ${fmtMs(median(times[name]))}, p90 ${fmtMs(percentile(times[name], 90))}, p95 ${fmtMs(percentile(times[name], 95))}`,
    baseline: name === 'warm' ? `outside the window: p50 ${fmtMs(median(times.cold))}, p95 ${fmtMs(percentile(times.cold, 95))}` : '-',
    ratio: name === 'warm' ? `${(median(times.warm) / median(times.cold)).toFixed(2)}×` : '-',
    target,
    met,
  });
  return [
    row('warm', `rollback inside the standby window (API → old version via Traefik), ${runs} runs`, '≤ 50 ms p50', median(times.warm) <= 50),
    row('cold', `rollback outside the standby window (containers started again), ${runs} runs`, 'as before', null),
  ];
}
