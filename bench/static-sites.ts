// Issue-7 benchmarks: switch and rollback time of static sites, throughput of the static
// server through Traefik against nginx serving the same files directly, and intake of a 50 MiB
// archive (MB/s, and the memory the unpacking process grows by).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startApiServer } from '../src/process/api-server.js';
import { DEFAULT_STATIC_SETTINGS, siteRequestHeaders } from '../src/domain/static-site.js';
import { sitePaths } from '../src/static/site-paths.js';
import { configuredStaticSiteToken } from '../src/secrets/static-site-token.js';
import { siteArchive } from '../test/support/archives.js';
import { startBerth } from '../test/support/berth.js';
import type { SharedServices } from '../test/support/services.js';
import { BerthClient } from './berth-client.js';
import { phaseSpans } from './image-deploys.js';
import { runWrk, startPlainNginx } from './nginx-baseline.js';
import { fmtMs, median, percentile, type Row } from './stats.js';

const MiB = 1024 * 1024;
const stepMs = (d: { phases: { phase: string; message: string | null }[] }) =>
  Number(/in (\d+) ms/.exec(d.phases.find((p) => p.phase === 'switch')?.message ?? '')?.[1] ?? NaN);

export async function staticSwitch(berth: BerthClient, runs: number): Promise<Row[]> {
  const app = await berth.createStaticApp('switch', { drainSeconds: 0, retention: 3 });
  // The first deploy writes the environment's route; the ones measured only switch `current`.
  await berth.finished(await berth.upload(app.base, siteArchive({ 'index.html': 'first' })));
  const times: number[] = [];
  const steps: number[] = [];
  const spans = new Map<string, number[]>();
  const add = (name: string, ms: number) => spans.set(name, [...(spans.get(name) ?? []), ms]);
  for (let i = 0; i < runs; i++) {
    const version = `s${i}`;
    const archive = siteArchive({ 'index.html': version, 'app.js': `// ${version}\n` });
    const t0 = performance.now();
    const sent = Date.now();
    const id = await berth.upload(app.base, archive);
    add('api → 202', performance.now() - t0);
    await berth.until(app.host, version);
    const answered = Date.now();
    times.push(performance.now() - t0);
    const d = await berth.finished(id);
    steps.push(stepMs(d));
    for (const [name, ms] of phaseSpans(sent, d)) add(name, ms);
    const switched = (d.phases as { phase: string; endedAt: string | null }[]).find((p) => p.phase === 'switch')?.endedAt;
    if (switched) add('switch recorded → answered', answered - Date.parse(switched));
  }
  // Where an upload's time goes until the new version answers (medians).
  const until = ['api → 202', 'api → recorded', 'queued', 'receive', 'unpack', 'verify', 'switch', 'switch recorded → answered'];
  process.stdout.write(`static deploy, median ms: ${until.map((n) => `${n} ${Math.round(median(spans.get(n) ?? [NaN]))}`).join(', ')}\n`);
  const releases = (await berth.must('GET', `${app.base}/releases`)).items as { id: string }[];
  const [newest, previous] = [releases[0]?.id, releases[1]?.id];
  const back: number[] = [];
  const backSteps: number[] = [];
  for (let i = 0; i < runs; i++) {
    const [releaseId, version] = i % 2 === 0 ? [previous, `s${runs - 2}`] : [newest, `s${runs - 1}`];
    const t0 = performance.now();
    const { deploymentId } = await berth.must('POST', `${app.base}/rollback`, { releaseId });
    await berth.until(app.host, version as string);
    back.push(performance.now() - t0);
    backSteps.push(stepMs(await berth.finished(deploymentId)));
  }
  const row = (what: string, ms: number[], step: number[]): Row => ({
    benchmark: `${what}, ${runs} runs`,
    figure: `median ${fmtMs(median(ms))}, p90 ${fmtMs(percentile(ms, 90))}`,
    baseline: `switch step itself (rename + confirm via Traefik): median ${fmtMs(median(step))}`,
    ratio: '-',
    target: '≤ 100 ms median',
    met: median(ms) <= 100,
  });
  return [
    row('static deploy (API upload of a small site → new version via Traefik)', times, steps),
    row('static rollback (API → earlier release via Traefik)', back, backSteps),
  ];
}

export async function staticThroughput(berth: BerthClient, config: Config, seconds: number): Promise<Row[]> {
  const app = await berth.createStaticApp('through', { drainSeconds: 0 });
  const files = { 'small.html': '<!doctype html><title>small</title><p>hello from a static site</p>\n', 'big.bin': randomBytes(MiB) };
  const d = await berth.finished(await berth.upload(app.base, siteArchive(files)));
  const root = sitePaths(config.static.dir, 'through', 'prod').release(d.releaseId);
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-nginx-'));
  const plain = await startPlainNginx(config.static.nginxBinary, dir, root);
  const load = { seconds, connections: 32, threads: 2 };
  const rows: Row[] = [];
  try {
    for (const [path, label] of [
      ['/small.html', `small file (${files['small.html'].length} B)`],
      ['/big.bin', '1 MiB file'],
    ] as const) {
      const direct = await runWrk(`${plain.url}${path}`, load);
      // Berth's nginx without Traefik in front: how much of the gap is the proxy hop.
      const server = await runWrk(`${config.static.url}${path}`, { ...load, headers: siteRequestHeaders('through', 'prod', DEFAULT_STATIC_SETTINGS, configuredStaticSiteToken(config.secrets)) });
      const via = await runWrk(`${berth.entryUrl}${path}`, { ...load, headers: { Host: app.host } });
      const fmt = (r: { requestsPerSecond: number; bytesPerSecond: number }) =>
        `${Math.round(r.requestsPerSecond)} req/s (${(r.bytesPerSecond / MiB).toFixed(0)} MiB/s)`;
      const ratio = via.requestsPerSecond / direct.requestsPerSecond;
      rows.push({
        benchmark: `static throughput via Traefik, ${label}, wrk ${load.connections} conns ${seconds}s`,
        figure: `${fmt(via)}, errors ${via.errors} (static server alone: ${fmt(server)})`,
        baseline: `nginx direct: ${fmt(direct)}`,
        ratio: `${ratio.toFixed(2)}×`,
        target: '≥ 0.5× nginx direct',
        met: ratio >= 0.5 && via.errors === 0,
      });
    }
  } finally {
    await plain.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

function procStatus(pid: number | string, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** Forgets a process's peak RSS (Linux: "5" > clear_refs), so VmHWM measures from now. */
function resetPeak(pid: number | string): number {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  return procStatus(pid, 'VmRSS');
}

export async function staticIntake(services: SharedServices, sizeMiB: number): Promise<Row> {
  // A Berth of its own whose worker is a separate process, so its memory is the unpack's alone.
  const berth = await startBerth({ services, workers: false, staticServer: true });
  const worker = await berth.spawnWorker();
  const api = await startApiServer({ config: berth.config, database: berth.database, temporal: berth.temporal, log: createLogger({ level: 'warn', format: 'json' }) });
  const client = new BerthClient(api.url, services.traefik.entryUrl, berth.token);
  const work = mkdtempSync(join(tmpdir(), 'berth-bench-intake-'));
  try {
    const app = await client.createStaticApp('intake', { drainSeconds: 0 });
    // Incompressible files: the archive is as large as the site.
    const files: Record<string, Buffer> = { 'index.html': Buffer.from('intake\n') };
    for (let i = 0; i < sizeMiB; i++) files[`assets/blob-${i}.bin`] = randomBytes(MiB);
    const archiveFile = join(work, 'site.tar.gz');
    writeFileSync(archiveFile, siteArchive(files));
    const mb = statSync(archiveFile).size / MiB;
    await client.finished(await client.upload(app.base, siteArchive({ 'index.html': 'warm' })));

    const pid = worker.pid as number;
    const workerBefore = resetPeak(pid);
    const apiBefore = resetPeak('self');
    const t0 = performance.now();
    // Streamed from the file: the client holds no copy, so the API's growth is the API's.
    const id = await client.upload(app.base, archiveFile);
    const accepted = performance.now() - t0;
    const apiPeak = procStatus('self', 'VmHWM') - apiBefore;
    const d = await client.finished(id, 300_000);
    if (d.status !== 'succeeded') throw new Error(`intake deploy ${d.status}: ${d.message}`);
    await client.until(app.host, 'intake');
    const total = performance.now() - t0;
    const workerPeak = procStatus(pid, 'VmHWM') - workerBefore;

    // Baseline in the same run: GNU tar unpacking the same file.
    const out = join(work, 'out');
    mkdirSync(out);
    const t1 = performance.now();
    await promisify(execFile)('tar', ['-xzf', archiveFile, '-C', out]);
    const tarMs = performance.now() - t1;

    return {
      benchmark: `intake of a ${mb.toFixed(0)} MiB archive (upload + check → 202 → unpack, verify, switch)`,
      figure: `${(mb / (total / 1000)).toFixed(0)} MiB/s (202 after ${fmtMs(accepted)}, live after ${fmtMs(total)}); RSS growth: worker ${(workerPeak / MiB).toFixed(1)} MiB, API process ${(apiPeak / MiB).toFixed(1)} MiB`,
      baseline: `tar -xzf of the same file: ${fmtMs(tarMs)} (${(mb / (tarMs / 1000)).toFixed(0)} MiB/s)`,
      ratio: `${(total / tarMs).toFixed(2)}×`,
      target: 'worker RSS growth < 64 MiB',
      met: workerPeak < 64 * MiB,
    };
  } finally {
    await api.close();
    await berth.close();
    rmSync(work, { recursive: true, force: true });
  }
}
