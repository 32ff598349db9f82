// `npm run bench`: Berth's speed targets, each against a baseline measured in the same run on
// the same machine. Starts what each benchmark needs (shared Temporal, PostgreSQL and Traefik
// plus a Berth with its API on HTTP; or a whole installation of separate processes for fault
// injection) and removes everything it made.
//   npm run bench               every benchmark
//   npm run bench -- latency    only those whose name contains "latency"
import { startApiServer, type ApiServer } from '../src/process/api-server.js';
import { createLogger } from '../src/logger.js';
import { startBerth, type TestBerth } from '../test/support/berth.js';
import { buildHello, removeImages } from '../test/support/images.js';
import { startGitHubStandIn, type GitHubStandIn } from '../test/support/github-stand-in.js';
import { startSharedServices, type SharedServices } from '../test/support/services.js';
import { setUpGitHubApp } from '../test/support/webhooks.js';
import { authOverhead } from './auth-overhead.js';
import { BerthClient } from './berth-client.js';
import { faultEngines, faultInjection, faultKinds } from './fault-injection.js';
import { httpsBench } from './https.js';
import { idleMemory } from './idle-memory.js';
import { containerSampling, metricsScrape } from './metrics.js';
import { deployLatency, parallelEnvironments, rollbackLatency, zeroDowntime } from './image-deploys.js';
import { stackRollout } from './stack-rollout.js';
import { temporalFloor } from './floor/temporal-floor.js';
import { traefikFloor } from './floor/traefik-floor.js';
import { standbyRollback } from './standby-rollback.js';
import { staticIntake, staticSwitch, staticThroughput } from './static-sites.js';
import { printTable, type Row } from './stats.js';
import { uiOverview } from './ui-overview.js';
import { webhookIntake } from './webhook-intake.js';
import { gitHostIntake } from './git-host-intake.js';

/** Benchmarks named on the command line (a part of the name is enough); none: all of them. */
const only = process.argv.slice(2);
const images = { a: 'berth-bench/hello:a', b: 'berth-bench/hello:b' };

/** Statements Berth has sent to PostgreSQL (the parallel benchmark reads them per deploy). */
export const queries = { count: 0 };

/** The shared services and a Berth on them, started for the first benchmark that needs them. */
interface Shared {
  services: SharedServices;
  /** A local stand-in for GitHub's API (github.com is out of reach). */
  github: GitHubStandIn;
  berth: TestBerth;
  api: ApiServer;
  client: BerthClient;
  stop(): Promise<void>;
}

async function startShared(): Promise<Shared> {
  const { services, stop } = await startSharedServices();
  const github = await startGitHubStandIn({ installations: [{ id: 1, account: 'bench-org', repositories: [] }] });
  const berth = await startBerth({ services, staticServer: true, env: { BERTH_GITHUB_API_URL: github.url, BERTH_GITHUB_WEB_URL: github.webUrl }, onQuery: () => queries.count++ });
  // No dispatcher of its own: the Berth's (test/support/berth.ts) hands stored deliveries over,
  // and the webhook benchmarks stop that one for the `berth api` they start, whose dispatcher
  // sees the load and waits it out. A second one here never saw an arrival, so it handed
  // deliveries to their workflows in the middle of the load (the worker and Temporal then took
  // the CPU the API was measured on).
  const config = { ...berth.config, github: { ...berth.config.github, dispatchConcurrency: 0 } };
  const api = await startApiServer({ config, database: berth.database, temporal: berth.temporal, log: createLogger({ level: 'warn', format: 'json' }) });
  return {
    services,
    github,
    berth,
    api,
    client: new BerthClient(api.url, services.traefik.entryUrl, berth.token),
    async stop() {
      await api.close();
      await berth.close();
      await github.close();
      await stop();
    },
  };
}

async function main() {
  buildHello(images.a, { version: 'a' });
  buildHello(images.b, { version: 'b' });
  let shared: Shared | null = null;
  const need = async () => (shared ??= await startShared());
  const toolsDir = process.env.BERTH_TOOLS_DIR ?? `${process.env.HOME}/.cache/berth`;
  // What any deploy or rollback costs on top of Docker's work in Berth's shape, with no work of
  // Berth's in it: Temporal's hops and Traefik's route change, measured in the same run.
  const floor = async (runs: number) => {
    const { berth, services } = await need();
    const hops = await temporalFloor(services.temporalAddress, berth.config.temporal.namespace, berth.ring, runs);
    return { ...hops, traefikMs: await traefikFloor(services.traefik.routesDir, services.traefik.entryUrl, runs) };
  };
  const rows: Row[] = [];
  const benches: [string, () => Promise<Row[]>][] = [
    ['auth', async () => authOverhead((await need()).berth, 2000)],
    ['ui-overview', async () => uiOverview((await need()).berth, (await need()).api.url, 10)],
    ['latency', async () => {
      const { client, berth } = await need();
      return [await deployLatency(client, berth.docker, images, 15, berth.temporal, floor)];
    }],
    ['rollback', async () => rollbackLatency((await need()).client, (await need()).berth.docker, images, 10, floor)],
    ['standby', async () => standbyRollback((await need()).client, images, 20)],
    ['zero-downtime', async () => [await zeroDowntime((await need()).client, images, 20, 250, 10_000)]],
    ['parallel', async () => [await parallelEnvironments((await need()).client, (await need()).berth.docker, images, 50, { temporal: (await need()).berth.temporal, queries })]],
    ['stack', async () => [await stackRollout((await need()).client, (await need()).berth.docker, images.a, 7)]],
    ['static-switch', async () => staticSwitch((await need()).client, 20)],
    ['static-throughput', async () => staticThroughput((await need()).client, (await need()).berth.config, 5)],
    ['static-intake', async () => [await staticIntake((await need()).services, 50)]],
    ['https', () => httpsBench(toolsDir, 1000, 5)],
    ['memory', () => idleMemory(toolsDir, images, 3)],
    ['metrics', async () => [...(await metricsScrape((await need()).berth, 10_000, 200)), ...(await containerSampling((await need()).berth, 50, 10))]],
    [
      'webhooks',
      async () => {
        const { berth, github } = await need();
        await setUpGitHubApp(berth, github, 1);
        // BERTH_BENCH_WEBHOOKS: unique deliveries per load (two loads make the burst), for quick runs.
        const unique = Number(process.env.BERTH_BENCH_WEBHOOKS ?? 5000);
        return webhookIntake(berth, github.app.webhookSecret, { unique, offeredRate: 500, concurrency: 32, baselineSample: Math.min(1000, unique) });
      },
    ],
    ['git-host-webhooks', async () => gitHostIntake((await need()).berth, { unique: Number(process.env.BERTH_BENCH_GIT_HOST_WEBHOOKS ?? 2500), offeredRate: 500 })],
    [
      'faults',
      async () => {
        const seed = Number(process.env.BERTH_FAULT_SEED ?? Date.now() % 100_000);
        const found: Row[] = [];
        // The same seed on each engine: the same faults at the same moments, side by side.
        for (const engine of faultEngines(process.env.BERTH_FAULT_ENGINE)) {
          found.push(...(await faultInjection(toolsDir, { [images.a]: 'a', [images.b]: 'b' }, Number(process.env.BERTH_FAULT_ROUNDS ?? 60), seed, faultKinds(process.env.BERTH_FAULT_KINDS), engine)));
        }
        return found;
      },
    ],
  ];
  try {
    for (const [name, run] of benches) {
      if (only.length > 0 && !only.some((part) => name.includes(part))) continue;
      process.stdout.write(`running ${name}…\n`);
      const result = await run();
      rows.push(...result);
      printTable(result);
    }
  } finally {
    await (shared as Shared | null)?.stop();
    removeImages(images.a, images.b);
  }
  printTable(rows);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
