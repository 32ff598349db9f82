// Fault injection, short version (the benchmark runs 50+ rounds): each kind of fault once —
// SIGKILL of the worker, the API, the Temporal dev server (its SQLite file kept), Traefik,
// PostgreSQL, and a restart of the Docker daemon — at a random moment of a deploy. After each:
// every requested deploy is final, one container per live replica (none twice), nothing leaked,
// history complete, traffic served by the live release; and the deploy the Docker restart hit
// succeeded. Then a stack rides out the faults a stack can meet (its worker, its Docker daemon
// and Swarm, Traefik), on the same installation.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { inject } from 'vitest';
import { FAULT_KINDS, startFaultCluster, type FaultCluster } from '../support/fault-cluster.js';
import { runFaultRound, seededRandom, setUpFaultApp, type RoundResult } from '../support/fault-rounds.js';
import { runStackFaultRound, setUpFaultStack, STACK_FAULT_KINDS } from '../support/fault-stack-rounds.js';
import { buildHello, removeImages } from '../support/images.js';

const images = { 'berth-test/fault:a': 'a', 'berth-test/fault:b': 'b' };
let cluster: FaultCluster;
const seed = Number(process.env.BERTH_FAULT_SEED ?? Date.now() % 100_000);

beforeAll(async () => {
  for (const [tag, version] of Object.entries(images)) buildHello(tag, { version, startDelay: 0.3, stopDelay: 0.3 });
  cluster = await startFaultCluster({ toolsDir: inject('services').toolsDir, images: Object.keys(images), name: `flt${process.pid % 10000}`, swarm: true });
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
  await reportWorker(results);
  for (const r of results) expect(r.problems, `${r.kind} (round ${r.round})`).toEqual([]);
  // A restart of the Docker engine is waited out: the deploy it interrupted still finishes.
  const docker = results.find((r) => r.kind === 'docker');
  expect(docker?.status, docker?.message ?? '').toBe('succeeded');
}, 1_500_000);

test(`a stack: one round per fault it can meet converges with nothing lost (seed ${seed})`, async () => {
  // After the app's rounds: those count every route file of the installation as the app's.
  await setUpFaultStack(cluster, images);
  const random = seededRandom(seed + 1);
  const results: RoundResult[] = [];
  for (const [i, kind] of STACK_FAULT_KINDS.entries()) results.push(await runStackFaultRound(cluster, i + 1, kind, images, random));
  process.stdout.write(
    `fault-injection (stack): ${results.map((r) => `${r.kind} → ${r.status}${r.status === 'failed' ? ` (${r.message})` : ''}, converged in ${r.convergeMs} ms${r.problems.length ? ` PROBLEMS ${r.problems.join('; ')}` : ''}`).join(' | ')}\n`,
  );
  await reportWorker(results);
  for (const r of results) expect(r.problems, `${r.kind} (round ${r.round})`).toEqual([]);
  // Tasks the engine's restart ended are replaced by Swarm and waited out: the rollout finishes.
  const docker = results.find((r) => r.kind === 'docker');
  expect(docker?.status, docker?.message ?? '').toBe('succeeded');
}, 1_500_000);

/** When a round did not converge, the worker's warnings and errors and reconcile's last findings say what it was doing. */
async function reportWorker(results: RoundResult[]): Promise<void> {
  if (results.every((r) => r.problems.length === 0)) return;
  const lines = cluster.output('worker').split('\n').filter((l) => /"level":(40|50|60)/.test(l));
  const events = await fetch(`${cluster.apiUrl}/api/v1/reconcile/events?limit=20`, { headers: { authorization: `Bearer ${cluster.token}` } }).then((r) => r.text(), (err: Error) => err.message);
  process.stdout.write(`fault-injection: the worker's last warnings and errors:\n${lines.slice(-40).join('\n')}\nreconcile's last events: ${events}\n`);
}
