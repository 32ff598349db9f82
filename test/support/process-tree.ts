// A process and everything it started, read from /proc, so a test can tell that each of them is
// gone later (a pid counts as the same process only with the same start time).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Clock ticks since boot: a recycled pid has another. */
  startTime: string;
  cmdline: string;
}

function read(pid: number): (ProcessInfo & { zombie: boolean }) | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state (3rd field), ppid (4th) … starttime (22nd).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(rest[1]), startTime: rest[19] ?? '', cmdline, zombie: rest[0] === 'Z' };
  } catch {
    return null;
  }
}

function all(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map((n) => read(Number(n)))
    .filter((p): p is ProcessInfo & { zombie: boolean } => p !== null && !p.zombie);
}

/** `root` and all its descendants, as they are now. */
export function processTree(root: number): ProcessInfo[] {
  const everyone = all();
  const tree = everyone.filter((p) => p.pid === root);
  for (let i = 0; i < tree.length; i++) tree.push(...everyone.filter((p) => p.ppid === (tree[i] as ProcessInfo).pid));
  return tree;
}

/** Those of `processes` still running (zombies count as gone). */
export function stillRunning(processes: ProcessInfo[]): ProcessInfo[] {
  return processes.filter((p) => {
    const now = read(p.pid);
    return now !== null && !now.zombie && now.startTime === p.startTime;
  });
}

/** Every running process whose command line contains `text`. */
export function processesMentioning(text: string): ProcessInfo[] {
  return all().filter((p) => p.cmdline.includes(text) && p.pid !== process.pid);
}
