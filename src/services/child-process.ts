// Starting and stopping the long-running programs Berth supervises in dev mode and in tests
// (Temporal dev server, Traefik, nginx). Each runs under a watchdog (watchdog.ts) in a process
// group of its own, so it dies with Berth even when Berth is SIGKILLed; output goes straight to
// a log file, so a program's last words are kept whatever happened to Berth. Stop is SIGTERM,
// then SIGKILL to the whole group.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTimeOf } from './leftover-process.js';
import { STOP_GRACE_MS, WATCHDOG_SHELL, watchdogArgs } from './watchdog.js';

export interface Supervised {
  name: string;
  /** The watchdog; its pid is the program's process group. */
  process: ChildProcess;
  logFile: string;
  /** Resolves once the program (and its watchdog) has exited. */
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
  /** SIGKILLs the program and everything in its group at once (fault injection). */
  kill(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Records the program's process group (and this process, its owner) here while it runs, so a
   * later start can find what a killed run left.
   */
  pidFile?: string;
}

export function startProcess(name: string, command: string, args: string[], logFile: string, options: StartOptions = {}): Supervised {
  mkdirSync(dirname(logFile), { recursive: true });
  const out = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(WATCHDOG_SHELL, watchdogArgs(name, command, args, STOP_GRACE_MS), {
      // stdin is the lifeline the watchdog watches; nothing is ever written to it.
      stdio: ['pipe', out, out],
      env: options.env ?? process.env,
      detached: true,
    });
  } finally {
    closeSync(out);
  }
  const group = child.pid;
  if (options.pidFile && group !== undefined) {
    mkdirSync(dirname(options.pidFile), { recursive: true });
    const owner = { pid: process.pid, start: startTimeOf(process.pid) };
    writeFileSync(options.pidFile, `${JSON.stringify({ group, command, owner })}\n`);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      if (options.pidFile) rmSync(options.pidFile, { force: true });
      resolve(code);
    });
    child.once('error', () => resolve(null));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const killGroup = () => {
    try {
      if (group !== undefined) process.kill(-group, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  };
  return {
    name,
    process: child,
    logFile,
    exited,
    async stop(graceMs = STOP_GRACE_MS) {
      if (!running()) return;
      // The watchdog passes SIGTERM on to the program and waits for it.
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        killGroup();
        await exited;
      }
    },
    async kill() {
      if (!running()) return;
      killGroup();
      await exited;
    },
  };
}

/** Polls `check` until it resolves true, the process exits, or the deadline passes. */
export async function waitUntilReady(proc: Supervised, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${proc.name} exited during start-up (see ${proc.logFile})`);
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  await proc.stop();
  throw new Error(`${proc.name} did not become ready within ${timeoutMs} ms (see ${proc.logFile})`);
}
