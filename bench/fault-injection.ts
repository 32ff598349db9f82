// The fault-injection benchmark: many rounds of a deploy with one fault injected at a random
// moment (SIGKILL of worker, API, Temporal dev server, Traefik, PostgreSQL; Docker daemon
// restart), each checked for convergence; then the time to bring back a SIGKILLed container.
// Then the same for a stack on the installation's own Swarm (worker, Docker daemon, Traefik),
// and the time until a SIGKILLed task's replacement is routed.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_KINDS, startFaultCluster, type FaultCluster, type FaultKind, type TemporalEngine } from '../test/support/fault-cluster.js';
import { killLiveContainer, runFaultRound, seededRandom, setUpFaultApp, type RoundResult } from '../test/support/fault-rounds.js';
import { killStackTask, runStackFaultRound, setUpFaultStack, STACK_FAULT_KINDS } from '../test/support/fault-stack-rounds.js';
import { fmtMs, median, type Row } from './stats.js';

/** The line of a dead process's last output that says why (an uncaught error's), or its last line. */
function crashLine(output: string): string {
  const lines = output.trim().split('\n');
  return (lines.find((l) => /^\w*Error\b|^\w+Error:/.test(l)) ?? lines.at(-1) ?? '').slice(0, 200);
}

/** A failed round's (or run's) processes' output and logs, kept in a file whose name is printed. */
function keepDiagnostics(cluster: FaultCluster, what: string): string {
  const file = join(tmpdir(), `berth-fault-${what}-${Date.now()}.log`);
  writeFileSync(file, cluster.diagnostics());
  return file;
}

/** A stack's rounds (after the app's: those count every route file as the app's), of the kinds it can meet among those asked for. */
async function stackRounds(cluster: FaultCluster, images: Record<string, string>, rounds: number, random: () => number, asked: readonly FaultKind[]): Promise<Row[]> {
  const kinds = STACK_FAULT_KINDS.filter((k) => asked.includes(k));
  if (kinds.length === 0) return [];
  await setUpFaultStack(cluster, images);
  const results: RoundResult[] = [];
  for (let round = 1; round <= rounds; round++) {
    const kind = kinds[Math.floor(random() * kinds.length)] as FaultKind;
    const r = await runStackFaultRound(cluster, round, kind, images, random);
    results.push(r);
    const problems = r.problems.length ? ` PROBLEMS ${r.problems.join('; ')} (logs: ${keepDiagnostics(cluster, `stack-round-${round}`)})` : '';
    process.stdout.write(`  stack round ${round} ${kind}: ${r.status}, ${r.convergeMs} ms${problems}\n`);
  }
  const heal: number[] = [];
  for (let i = 0; i < 10; i++) heal.push(await killStackTask(cluster));
  const rows: Row[] = kinds.map((kind) => {
    const of = results.filter((r) => r.kind === kind);
    const times = of.map((r) => r.convergeMs);
    return {
      benchmark: `stack fault: ${kind} (${of.length} rounds; deploys ${of.filter((r) => r.status === 'succeeded').length} ok / ${of.filter((r) => r.status !== 'succeeded').length} not)`,
      figure: of.length ? `converge median ${fmtMs(median(times))}, max ${fmtMs(Math.max(...times))}` : '-',
      baseline: '-',
      ratio: '-',
      target: '0 failures',
      met: of.every((r) => r.problems.length === 0),
    };
  });
  const failures = results.filter((r) => r.problems.length).length;
  rows.push({ benchmark: `stack fault injection: ${rounds} rounds`, figure: `${failures} failures`, baseline: '-', ratio: '-', target: '0', met: failures === 0 });
  rows.push({
    benchmark: 'killed stack task → replaced and routed (10 kills)',
    figure: `median ${fmtMs(median(heal))}, max ${fmtMs(Math.max(...heal))}`,
    baseline: '-',
    ratio: '-',
    target: '≤ 2 s',
    met: Math.max(...heal) <= 2000,
  });
  return rows;
}

/** BERTH_FAULT_KINDS=docker,worker: only those kinds of fault (unset: every kind). */
export function faultKinds(list: string | undefined): readonly FaultKind[] {
  if (!list) return FAULT_KINDS;
  const kinds = list.split(',').map((k) => k.trim());
  const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
  if (unknown.length) throw new Error(`BERTH_FAULT_KINDS: unknown kind(s) ${unknown.join(', ')} (known: ${FAULT_KINDS.join(', ')})`);
  return kinds as FaultKind[];
}

/** BERTH_FAULT_ENGINE=dev,server: the Temporal engines to run the rounds on, one after the other (unset: dev). */
export function faultEngines(list: string | undefined): TemporalEngine[] {
  const engines = (list ?? 'dev').split(',').map((e) => e.trim());
  const unknown = engines.filter((e) => e !== 'dev' && e !== 'server');
  if (unknown.length) throw new Error(`BERTH_FAULT_ENGINE: unknown engine(s) ${unknown.join(', ')} (known: dev, server)`);
  return engines as TemporalEngine[];
}

export async function faultInjection(
  toolsDir: string,
  images: Record<string, string>,
  rounds: number,
  seed: number,
  kinds: readonly FaultKind[] = FAULT_KINDS,
  engine: TemporalEngine = 'dev',
): Promise<Row[]> {
  const cluster = await startFaultCluster({ toolsDir, images: Object.keys(images), name: `bench${process.pid % 10000}`, swarm: true, engine });
  const on = engine === 'server' ? " on Temporal's server (PostgreSQL)" : ' on the dev server';
  try {
    await setUpFaultApp(cluster, images);
    const random = seededRandom(seed);
    const results: RoundResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Every kind equally often, in a random order.
      const kind = kinds[Math.floor(random() * kinds.length)] as FaultKind;
      const crashedBefore = cluster.crashes().length;
      const r = await runFaultRound(cluster, round, kind, images, random);
      results.push(r);
      for (const c of cluster.crashes().slice(crashedBefore)) process.stdout.write(`    berth ${c.command} died on its own (${c.how}: ${crashLine(c.lastOutput)}); restarted as its supervisor would\n`);
      const why = r.status === 'succeeded' ? '' : ` (${r.message})`;
      const problems = r.problems.length ? ` PROBLEMS ${r.problems.join('; ')} (logs: ${keepDiagnostics(cluster, `round-${round}`)})` : '';
      process.stdout.write(`  round ${round} ${kind}: ${r.status}${why}, ${r.convergeMs} ms${problems}\n`);
    }
    const mttr: number[] = [];
    for (let i = 0; i < 10; i++) mttr.push(await killLiveContainer(cluster, images));

    const rows: Row[] = kinds.map((kind) => {
      const of = results.filter((r) => r.kind === kind);
      const times = of.map((r) => r.convergeMs);
      const failed = of.filter((r) => r.problems.length).length;
      return {
        benchmark: `fault${on}: ${kind} (${of.length} rounds; deploys ${of.filter((r) => r.status === 'succeeded').length} ok / ${of.filter((r) => r.status !== 'succeeded').length} not)`,
        figure: of.length ? `converge median ${fmtMs(median(times))}, max ${fmtMs(Math.max(...times))}` : '-',
        baseline: '-',
        ratio: '-',
        target: '0 failures',
        met: failed === 0,
      };
    });
    const failures = results.filter((r) => r.problems.length);
    const crashes = cluster.crashes();
    rows.push({
      benchmark: `processes that died on their own${on} (restarted as compose's restart policy would)`,
      figure: crashes.length ? crashes.map((c) => `${c.command}: ${crashLine(c.lastOutput)}`).join('; ') : '0',
      baseline: '-',
      ratio: '-',
      target: '0',
      met: crashes.length === 0,
    });
    rows.push({
      benchmark: `fault injection${on}: ${rounds} rounds (seed ${seed})`,
      figure: `${failures.length} failures`,
      baseline: '-',
      ratio: '-',
      target: '0',
      met: failures.length === 0,
    });
    rows.push({
      benchmark: `killed container → back and routed (10 kills)${on}`,
      figure: `median ${fmtMs(median(mttr))}, max ${fmtMs(Math.max(...mttr))}`,
      baseline: '-',
      ratio: '-',
      target: '≤ 3 s',
      met: Math.max(...mttr) <= 3000,
    });
    rows.push(...(await stackRounds(cluster, images, Math.max(STACK_FAULT_KINDS.length, Math.ceil(rounds / 2)), random, kinds)));
    return rows;
  } catch (err) {
    process.stdout.write(`  the run stopped: ${(err as Error).message} (logs: ${keepDiagnostics(cluster, 'run')})\n`);
    throw err;
  } finally {
    await cluster.stop();
  }
}
