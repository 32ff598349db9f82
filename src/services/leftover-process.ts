// What a `berth dev` that was killed may leave running: its Temporal dev server, Traefik or
// nginx, when their watchdog could not end them (killed along with Berth, or still inside its
// grace period when the next start comes). A start replaces them; it never adopts them. An
// adopted program would keep writing to a log pipe nobody reads, run with the old run's
// configuration (ports, paths) and give no exit status to supervise; a fresh one has none of
// that, and stops with the run that started it.
//
// The pid file (child-process.ts) names the program's process group and binary. Only a group
// that still runs that binary is stopped, so a recycled group id is never someone else's loss.
// Linux only (/proc); elsewhere nothing is found and the start goes on.
import { readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { STOP_GRACE_MS } from './watchdog.js';

interface Recorded {
  group: number;
  command: string;
  /** The Berth that started it; while that one runs, its programs are no leftovers. */
  owner?: { pid: number; start: string | null };
}

/** A process's start time (clock ticks since boot), which tells a live pid from a recycled one. */
export function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

interface Member {
  pid: number;
  /** The program's binary; null for zombies and processes we may not inspect. */
  exe: string | null;
}

/** Live (not zombie) processes of process group `group`. */
function membersOf(group: number): Member[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const found: Member[] = [];
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state, ppid, pgrp, …
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) !== group || state === 'Z') continue;
      let exe: string | null = null;
      try {
        exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
      } catch {
        // exited meanwhile, or not ours to inspect
      }
      found.push({ pid: Number(pid), exe });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // gone already
  }
}

async function goneWithin(group: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (membersOf(group).length > 0) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Stops the program a killed run recorded in `pidFile`, if it still runs: SIGTERM to its group,
 * SIGKILL after the grace period. Returns the pids it stopped (none: nothing was left). Fails when
 * the run that recorded it is still alive: two runs on one data directory do not replace each
 * other.
 */
export async function replaceLeftover(pidFile: string, log: Logger): Promise<number[]> {
  let recorded: Recorded;
  try {
    recorded = JSON.parse(readFileSync(pidFile, 'utf8')) as Recorded;
  } catch {
    return [];
  }
  const { owner } = recorded;
  if (owner && owner.start !== null && startTimeOf(owner.pid) === owner.start) {
    throw new Error(`another berth dev (pid ${owner.pid}) is running on this data directory (${pidFile})`);
  }
  let binary = recorded.command;
  try {
    binary = realpathSync(recorded.command);
  } catch {
    // the binary is gone (an upgrade): /proc shows the old path
  }
  const members = membersOf(recorded.group);
  if (!members.some((m) => m.exe === binary)) {
    rmSync(pidFile, { force: true });
    return [];
  }
  const pids = members.map((m) => m.pid);
  log.warn({ pidFile, group: recorded.group, pids, command: recorded.command }, 'stopping what a killed run left running');
  signalGroup(recorded.group, 'SIGTERM');
  if (!(await goneWithin(recorded.group, STOP_GRACE_MS))) {
    signalGroup(recorded.group, 'SIGKILL');
    if (!(await goneWithin(recorded.group, STOP_GRACE_MS))) throw new Error(`processes ${pids.join(', ')} left by a killed run did not stop`);
  }
  rmSync(pidFile, { force: true });
  return pids;
}
