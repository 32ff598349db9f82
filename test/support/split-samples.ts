// Samples of a split route through Traefik's entrypoint, for canary and blue-green tests:
// `n` answers of a host name (which version answered, and the sticky cookies set), and two host
// names side by side (what each answered at the same moment).
import { Agent, request } from 'node:http';
import { inject } from 'vitest';
import { throughTraefik } from './traefik.js';

/** `n` GETs of `host` through Traefik, eight at a time, with these headers: body (or `HTTP <status>`) → count, and the cookies set. */
export async function sampleAnswers(host: string, n: number, path = '/', headers: Record<string, string> = {}) {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const bodies = new Map<string, number>();
  const cookies = new Set<string>();
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(`${inject('services').traefik.entryUrl}${path}`, { agent, headers: { host, ...headers } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          const key = res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}`;
          bodies.set(key, (bodies.get(key) ?? 0) + 1);
          for (const c of res.headers['set-cookie'] ?? []) cookies.add(c.split(';')[0] as string);
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
  for (let sent = 0; sent < n; sent += 8) await Promise.all(Array.from({ length: Math.min(8, n - sent) }, one));
  agent.destroy();
  return Object.assign(bodies, { cookies });
}

/** What a host name answers through Traefik: the body, or `HTTP <status>`. */
export async function answerOf(host: string): Promise<string> {
  const res = await throughTraefik(host);
  return res.ok ? res.body.trim() : `HTTP ${res.status}`;
}

/** Samples two host names side by side until stopped. */
export function sampleBoth(main: string, preview: string) {
  const samples: { main: string; preview: string }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const [p, m] = await Promise.all([answerOf(preview), answerOf(main)]);
      samples.push({ preview: p, main: m });
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}
