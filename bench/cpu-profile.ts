// An optional CPU profile of this process over one phase of a benchmark (BERTH_BENCH_CPU_PROFILE=
// <file.cpuprofile>): where Berth's own CPU goes (API, worker, workflow sandbox, clients), readable
// in Chrome's DevTools or summarised by module with `node --import tsx bench/cpu-profile.ts <file>`.
import { writeFileSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Starts profiling when BERTH_BENCH_CPU_PROFILE names a file; the returned stop writes it. */
export async function profilePhase(): Promise<() => Promise<void>> {
  const file = process.env.BERTH_BENCH_CPU_PROFILE;
  if (!file) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Groups a script's URL into what it belongs to: a package, Berth's own directory, or node. */
function moduleOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return url;
  const own = /\/(src|activities|workflows|api|bench|test|db)\/([^/]+)/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url.slice(-60);
}

/** Prints self time by module and the top functions of a .cpuprofile. */
function summarise(file: string, top = 40): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id) as ProfileNode;
    const name = node.callFrame.functionName;
    if (name === '(idle)') continue;
    total += us;
    const mod = name.startsWith('(') ? name : moduleOf(node.callFrame.url);
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    const fn = `${mod} ${name || '(anonymous)'}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const print = (title: string, m: Map<string, number>) => {
    process.stdout.write(`${title}\n`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${(us / 1000).toFixed(0).padStart(6)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}\n`);
  };
  process.stdout.write(`busy (non-idle) samples: ${(total / 1e6).toFixed(2)} s of ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s\n`);
  print('self time by module', byModule);
  print('self time by function', byFunction);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() as string)) summarise(process.argv[2] as string, Number(process.argv[3] ?? 40));
