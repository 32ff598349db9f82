// `npm run bench`: Berth's speed targets, each against a baseline measured in the same run on
// the same machine. Starts its own services (Temporal dev server, PostgreSQL, Traefik) and a
// Berth (API on HTTP, workers in process), and removes everything it made.
//   npm run bench               every benchmark
//   npm run bench -- latency    only those whose name contains "latency"
import { startApiServer } from '../src/process/api-server.js';
import { createLogger } from '../src/logger.js';
import { startBerth } from '../test/support/berth.js';
import { buildHello, removeImages } from '../test/support/images.js';
import { startSharedServices } from '../test/support/services.js';
import { BerthClient } from './berth-client.js';
import { deployLatency, parallelEnvironments, rollbackLatency, zeroDowntime } from './image-deploys.js';
import { stackRollout } from './stack-rollout.js';
import { printTable, type Row } from './stats.js';

const only = process.argv[2];
const images = { a: 'berth-bench/hello:a', b: 'berth-bench/hello:b' };

async function main() {
  buildHello(images.a, { version: 'a' });
  buildHello(images.b, { version: 'b' });
  const { services, stop } = await startSharedServices();
  const berth = await startBerth({ services });
  const api = await startApiServer({
    config: berth.config,
    database: berth.database,
    temporal: berth.temporal,
    log: createLogger({ level: 'warn', format: 'json' }),
  });
  const client = new BerthClient(api.url, services.traefik.entryUrl);
  const rows: Row[] = [];
  const benches: [string, () => Promise<Row>][] = [
    ['latency', () => deployLatency(client, berth.docker, images, 15)],
    ['rollback', () => rollbackLatency(client, images, 10)],
    ['zero-downtime', () => zeroDowntime(client, images, 20, 250, 10_000)],
    ['parallel', () => parallelEnvironments(client, berth.docker, images, 50)],
    ['stack', () => stackRollout(client, berth.docker, images.a, 7)],
  ];
  try {
    for (const [name, run] of benches) {
      if (only && !name.includes(only)) continue;
      process.stdout.write(`running ${name}…\n`);
      const row = await run();
      rows.push(row);
      printTable([row]);
    }
  } finally {
    await api.close();
    await berth.close();
    await stop();
    removeImages(images.a, images.b);
  }
  printTable(rows);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
