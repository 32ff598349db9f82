// Berth's own processes (`berth dev`, `berth api`, `berth worker`, `berth migrate`, `berth admin`)
// started as separate programs, from the sources through tsx or from the built output in dist/,
// for the idle-memory benchmark: their resident memory is read from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../test/support/wait.js';

const ROOT = new URL('..', import.meta.url).pathname;

/** How Berth runs: `source` as `npm start` did before it ran built output, `built` as it does now. */
export type BerthBuild = 'source' | 'built';

/**
 * The program and arguments that run the CLI of `build`: the sources through tsx, or the bin
 * itself (scripts/berth), which runs dist/ with its memory settings (it execs node, so the pid
 * is node's).
 */
export function cliArgs(build: BerthBuild): [string, string[]] {
  return build === 'source' ? [process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts')]] : ['bash', [join(ROOT, 'scripts/berth')]];
}

/** Builds dist/ when a source changed since the last build (a no-op otherwise). */
export function ensureBuilt(): void {
  execFileSync('bash', [join(ROOT, 'scripts/build.sh'), '--if-stale'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The environment a Berth process of this benchmark gets: no workflow bundle is passed in. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete merged.BERTH_WORKFLOW_BUNDLE;
  return merged;
}

export interface RunningBerth {
  child: ChildProcess;
  output(): string;
  /** SIGINT, then waits for the exit (SIGKILL after 30 s). */
  stop(): Promise<void>;
}

/** Starts `berth <command>` and resolves once `ready(output)` holds. */
export async function startBerthProcess(build: BerthBuild, command: string, env: Record<string, string>, ready: (output: string) => Promise<boolean> | boolean): Promise<RunningBerth> {
  const [program, args] = cliArgs(build);
  const child = spawn(program, [...args, command], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(`berth ${command} (${build}) to be ready`, async () => (child.exitCode !== null ? Promise.reject(new Error(output)) : ready(output)), 180_000, 200);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, output: () => output, stop };
}

/** Runs `berth <args>` to its end; its stdout. */
export function runBerth(build: BerthBuild, args: string[], env: Record<string, string>, input?: string): string {
  const [program, cli] = cliArgs(build);
  return execFileSync(program, [...cli, ...args], { cwd: ROOT, env: childEnv(env), input, stdio: ['pipe', 'pipe', 'pipe'] }).toString().trim();
}

/** A process's resident set and its peak, in MiB, from /proc/<pid>/status. */
export function residentMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
