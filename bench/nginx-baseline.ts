// The floor the static server is measured against: Debian's nginx serving the same directory
// directly (no Traefik, no site mapping), and wrk, a C load generator, to drive both.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startProcess, waitUntilReady, type Supervised } from '../src/services/child-process.js';
import { freePort } from '../test/support/free-port.js';

const run = promisify(execFile);

export interface PlainNginx {
  url: string;
  stop(): Promise<void>;
}

export async function startPlainNginx(binary: string, dir: string, root: string): Promise<PlainNginx> {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  writeFileSync(
    conf,
    `${user}
daemon off;
worker_processes auto;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} error;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${join(dir, 'tmp')};
  proxy_temp_path ${join(dir, 'tmp')};
  fastcgi_temp_path ${join(dir, 'tmp')};
  uwsgi_temp_path ${join(dir, 'tmp')};
  scgi_temp_path ${join(dir, 'tmp')};
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`,
  );
  const proc: Supervised = startProcess('nginx-baseline', binary, ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf], join(dir, 'nginx.log'));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(proc, async () => (await fetch(`${url}/`, { signal: AbortSignal.timeout(500) })).status < 500, 10_000);
  return { url, stop: () => proc.stop() };
}

export interface WrkResult {
  requestsPerSecond: number;
  bytesPerSecond: number;
  errors: number;
}

/** wrk against 127.0.0.1 for a bounded time (keep-alive connections). */
export async function runWrk(url: string, options: { headers?: Record<string, string>; seconds: number; connections: number; threads: number }): Promise<WrkResult> {
  const args = [`-t${options.threads}`, `-c${options.connections}`, `-d${options.seconds}s`];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push(url);
  const { stdout } = await run('wrk', args, { timeout: (options.seconds + 30) * 1000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMG]?B)/.exec(stdout);
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[transfer?.[2] ?? 'B'] ?? 1;
  const errors = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  if (!Number.isFinite(rps)) throw new Error(`wrk printed no figures:\n${stdout}`);
  return { requestsPerSecond: rps, bytesPerSecond: Number(transfer?.[1] ?? 0) * unit, errors: Number(errors?.[1] ?? 0) + socketErrors };
}
