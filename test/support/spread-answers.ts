// What answers for a spread environment, seen from outside: which containers answer through
// Traefik, which run on a daemon, and a load run's figures as one line of the test's output.
import { execFileSync } from 'node:child_process';
import type { LoadResult } from './load.js';
import { throughTraefik } from './traefik.js';

/** Container ids (short, as HOSTNAME) answering through Traefik over `n` requests. */
export async function answeringContainers(host: string, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const env = (await throughTraefik(host, '/cgi-bin/env')).body;
    const name = /^HOSTNAME=(\S+)$/m.exec(env)?.[1];
    if (name) seen.add(name);
  }
  return seen;
}

export const shortIds = (socket: string | null, environmentId: string) =>
  execFileSync('/usr/bin/docker', [...(socket ? ['-H', `unix://${socket}`] : []), 'ps', '-q', '--filter', `label=berth.environment=${environmentId}`, '--filter', 'status=running'])
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean);

/** One line: requests, failures, p95 latency, and how long what it measured took. */
export function reportLoad(prefix: string, what: string, result: LoadResult, ms?: number) {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  console.log(`${prefix}: ${what}: ${result.sent} requests, ${result.failed} failed, p95 ${sorted[Math.floor(sorted.length * 0.95)]?.toFixed(1)} ms${ms ? `; ${ms} ms` : ''}`);
}
