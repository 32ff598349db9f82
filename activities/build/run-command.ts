// Runs a build tool (git, the Docker CLI) as its own process group, streams its output line by
// line, and stops the whole group when the activity is cancelled or runs out of time, so a
// cancelled build stops at once and nothing it started keeps running.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  /** The last lines of output (stdout and stderr interleaved), for error messages. */
  tail: string[];
}

export interface CommandOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  timeoutMs: number;
  onLine?: (line: string) => void;
}

const TAIL_LINES = 20;
const KILL_GRACE_MS = 3_000;

export class CommandAborted extends Error {
  constructor(readonly reason: 'cancelled' | 'timeout') {
    super(reason === 'cancelled' ? 'cancelled' : 'timed out');
    this.name = 'CommandAborted';
  }
}

export function runCommand(command: string, args: string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const tail: string[] = [];
    let aborted: CommandAborted | null = null;
    let killTimer: NodeJS.Timeout | null = null;

    const stopGroup = (why: CommandAborted) => {
      if (aborted || child.exitCode !== null) return;
      aborted = why;
      const kill = (sig: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, sig);
        } catch {
          // already gone
        }
      };
      kill('SIGTERM');
      killTimer = setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = () => stopGroup(new CommandAborted('cancelled'));
    if (options.signal.aborted) onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });
    const timeout = setTimeout(() => stopGroup(new CommandAborted('timeout')), options.timeoutMs);

    const lines = (stream: NodeJS.ReadableStream) => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split(/\r?\n/);
        partial = parts.pop() ?? '';
        for (const line of parts) emit(line);
      });
      stream.on('end', () => {
        if (partial) emit(partial);
      });
    };
    const emit = (line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      options.onLine?.(line);
    };
    lines(child.stdout);
    lines(child.stderr);

    child.once('error', (err) => {
      cleanup();
      reject(err);
    });
    child.once('close', (code, sig) => {
      cleanup();
      if (aborted) reject(aborted);
      else resolve({ code: code ?? (sig ? 128 : 1), tail });
    });
    function cleanup() {
      clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      options.signal.removeEventListener('abort', onAbort);
    }
  });
}
