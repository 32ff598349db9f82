// Starting and stopping the long-running programs Berth supervises in dev mode and in tests
// (Temporal dev server, Traefik). Output goes to a log file; stop is SIGTERM then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Supervised {
  name: string;
  process: ChildProcess;
  logFile: string;
  /** Resolves once the process has exited. */
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(name: string, command: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): Supervised {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env, detached: false });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      log.end();
      resolve(code);
    });
    child.once('error', () => resolve(null));
  });
  return {
    name,
    process: child,
    logFile,
    exited,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
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
