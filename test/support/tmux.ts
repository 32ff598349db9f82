// A terminal a person would use, for tests of what a program shows there: a tmux server of the
// test's own (its own socket), a window of a fixed size, keys sent, the screen read back as
// rendered (capture-pane), not the raw bytes.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Terminal {
  /** Runs a shell command line in a new window; the line `EXIT=<code>` follows when it ends. */
  run(commandLine: string): void;
  screen(): string;
  keys(...keys: string[]): void;
  close(): void;
}

export function startTerminal(env: Record<string, string>, size = { columns: 120, rows: 40 }): Terminal {
  const socket = `berth-test-${randomBytes(4).toString('hex')}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const exports = Object.entries(env)
    .map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  return {
    run(commandLine) {
      // remain-on-exit keeps the last screen readable after the program ends.
      tmux('new-session', '-d', '-x', String(size.columns), '-y', String(size.rows), `env ${exports} bash -c '${commandLine.replace(/'/g, `'\\''`)}; echo EXIT=$?; sleep 600'`);
    },
    screen: () => tmux('capture-pane', '-p', '-J'),
    keys: (...keys) => void tmux('send-keys', ...keys),
    close() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}
