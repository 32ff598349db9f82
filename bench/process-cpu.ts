// CPU seconds (user + system) used so far by the machine's processes of the given command
// names, read from /proc: what a phase of a benchmark cost the Docker engine and its helpers,
// beside what it cost Berth (shared daemons count every client's work, so run it quiet).
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export function cpuSeconds(names: readonly string[]): Map<string, number> {
  const used = new Map<string, number>(names.map((n) => [n, 0]));
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!used.has(comm)) continue;
    // Fields after the command: state is the 1st, utime the 12th and stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    used.set(comm, (used.get(comm) ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
  }
  return used;
}

/** "dockerd 4.1 s, containerd 1.2 s": what was used between two readings. */
export function cpuBetween(before: Map<string, number>, after: Map<string, number>): string {
  return [...after].map(([name, s]) => `${name} ${(s - (before.get(name) ?? 0)).toFixed(1)} s`).join(', ');
}
