// The real `berth` binary (the package's bin, scripts/berth) run as a separate process against
// a test Berth: its own config directory, and BERTH_URL/BERTH_TOKEN only when a test gives them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = new URL('../../scripts/berth', import.meta.url).pathname;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From spawn to exit. */
  ms: number;
}

export interface CliRun {
  child: ChildProcess;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  done: Promise<CliResult>;
}

/** A home of its own (the config file lives under it); remove() when the test is done. */
export function cliHome(): { env: Record<string, string>; dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  return { dir, env: { HOME: dir, XDG_CONFIG_HOME: join(dir, '.config') }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const running = new Set<ChildProcess>();

/** Kills whatever a failed test left running. */
export function stopAllCli(): void {
  for (const child of running) child.kill('SIGKILL');
}

export function startCli(args: string[], options: { env?: Record<string, string>; input?: string | Buffer } = {}): CliRun {
  const started = Date.now();
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...options.env };
  const child = spawn(BIN, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  if (options.input !== undefined) child.stdin?.end(options.input);
  else child.stdin?.end();
  const done = new Promise<CliResult>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })));
  return { child, stdout: () => stdout, stderr: () => stderr, done };
}

export function runCli(args: string[], options: { env?: Record<string, string>; input?: string | Buffer } = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
