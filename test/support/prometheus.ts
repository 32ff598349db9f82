// A real Prometheus (Debian's package, installed by scripts/setup.sh test) for one test file:
// its own configuration, data directory and loopback port, scraping the targets given every
// second, and a PromQL query helper over its HTTP API.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, waitUntilReady } from '../../src/services/child-process.js';
import { freePort } from './free-port.js';

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

export interface ScrapeTarget {
  job: string;
  /** host:port */
  address: string;
  bearerToken?: string;
}

export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface TestPrometheus {
  url: string;
  query(promql: string): Promise<VectorSample[]>;
  /** Targets as Prometheus sees them: job → health ("up", "down", "unknown"). */
  targets(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

export async function startPrometheus(targets: ScrapeTarget[]): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-prometheus-'));
  const port = await freePort();
  // JSON is YAML.
  const config = {
    // Short, so a test sees a change within seconds; the timeout as long, for a loaded machine.
    global: { scrape_interval: '2s', scrape_timeout: '2s' },
    scrape_configs: targets.map((t) => ({
      job_name: t.job,
      static_configs: [{ targets: [t.address] }],
      ...(t.bearerToken ? { authorization: { type: 'Bearer', credentials: t.bearerToken } } : {}),
    })),
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const url = `http://127.0.0.1:${port}`;
  const proc = startProcess(
    'prometheus',
    PROMETHEUS_BINARY,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    join(dir, 'prometheus.log'),
  );
  await waitUntilReady(proc, async () => (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok, 30_000);
  return {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`);
      const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: VectorSample[] } };
      if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error}`);
      return body.data?.result ?? [];
    },
    async targets() {
      const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] } };
      return Object.fromEntries(body.data.activeTargets.map((t) => [t.labels.job, t.health === 'up' ? 'up' : `${t.health}: ${t.lastError}`]));
    },
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
