// Fault injection, short version (the benchmark runs 50+ rounds): each kind of fault once —
// SIGKILL of the worker, the API, the Temporal dev server (its SQLite file kept), Traefik,
// PostgreSQL, and a restart of the Docker daemon — at a random moment of a deploy. After each:
// every requested deploy is final, one container per live replica (none twice), nothing leaked,
// history complete, traffic served by the live release; and the deploy the Docker restart hit
// succeeded.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { FAULT_KINDS, startFaultCluster, type FaultCluster } from '../support/fault-cluster.js';
import { runFaultRound, seededRandom, setUpFaultApp, type RoundResult } from '../support/fault-rounds.js';
import { buildHello, removeImages } from '../support/images.js';

const images = { 'berth-test/fault:a': 'a', 'berth-test/fault:b': 'b' };
let cluster: FaultCluster;
const seed = Number(process.env.BERTH_FAULT_SEED ?? Date.now() % 100_000);

beforeAll(async () => {
  for (const [tag, version] of Object.entries(images)) buildHello(tag, { version, startDelay: 0.3, stopDelay: 0.3 });
  cluster = await startFaultCluster({ toolsDir: inject('services').toolsDir, images: Object.keys(images), name: `flt${process.pid % 10000}` });
  await setUpFaultApp(cluster, images);
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
  removeImages(...Object.keys(images));
});

test(`one round per kind of fault converges with nothing lost (seed ${seed})`, async () => {
  const random = seededRandom(seed);
  const results: RoundResult[] = [];
  for (const [i, kind] of FAULT_KINDS.entries()) results.push(await runFaultRound(cluster, i + 1, kind, images, random));
  process.stdout.write(
    `fault-injection: ${results.map((r) => `${r.kind} → ${r.status}${r.status === 'failed' ? ` (${r.message})` : ''}, converged in ${r.convergeMs} ms${r.problems.length ? ` PROBLEMS ${r.problems.join('; ')}` : ''}`).join(' | ')}\n`,
  );
  for (const r of results) expect(r.problems, `${r.kind} (round ${r.round})`).toEqual([]);
  // A restart of the Docker engine is waited out: the deploy it interrupted still finishes.
  const docker = results.find((r) => r.kind === 'docker');
  expect(docker?.status, docker?.message ?? '').toBe('succeeded');
}, 1_500_000);
