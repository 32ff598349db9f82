// What access control costs an API call: the same app (createApp) served twice on loopback,
// once with the database-backed authenticator and once with one that names every request an
// instance administrator without any I/O (the unauthenticated baseline). Requests alternate
// between the two, one at a time, so both see the same machine. Target: ≤ 1 ms more at p50.
import { serve, type ServerType } from '@hono/node-server';
import { createApp } from '../api/app.js';
import type { Authenticator } from '../api/deps.js';
import { apiDeps } from '../src/process/api-server.js';
import { createLogger } from '../src/logger.js';
import { addMember, makeToken, makeUser } from '../test/support/accounts.js';
import type { TestBerth } from '../test/support/berth.js';
import { fmtMs, percentile, type Row } from './stats.js';

const TARGET_MS = 1;

const unauthenticated: Authenticator = {
  identify: async () => ({
    kind: 'principal',
    session: null,
    principal: { userId: 'usr_baseline', email: 'baseline@bench', isAdmin: true, via: 'token', tokenId: null, scope: 'admin', projectRestriction: null },
  }),
};

async function listen(fetch: (r: Request) => Response | Promise<Response>): Promise<{ url: string; server: ServerType }> {
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

export async function authOverhead(berth: TestBerth, rounds: number): Promise<Row[]> {
  const db = berth.database.db;
  const must = async (method: string, path: string, body?: unknown) => {
    const res = await berth.api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}`);
    return res.body;
  };
  const project = await must('POST', '/api/v1/projects', { name: 'auth-bench' });
  await must('POST', '/api/v1/apps', { project: 'auth-bench', name: 'auth-bench', image: 'berth-local/hello:v1' });
  const viewer = await makeUser(db);
  await addMember(db, project.id, viewer.id, 'viewer');
  const viewerToken = await makeToken(db, viewer.id, { scope: 'read' });

  const deps = apiDeps({ config: berth.config, database: berth.database, temporal: berth.temporal, log: createLogger({ level: 'silent', format: 'json' }) });
  const authed = await listen(createApp(deps).fetch);
  const baseline = await listen(createApp({ ...deps, authenticator: unauthenticated }).fetch);
  const path = '/api/v1/apps/auth-bench';
  const time = async (url: string, token: string | null) => {
    const started = performance.now();
    const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET ${path} → ${res.status}`);
    return performance.now() - started;
  };
  const rows: Row[] = [];
  try {
    for (const [who, token] of [
      ['administrator token', berth.token],
      ['project viewer token', viewerToken],
    ] as const) {
      const withAuth: number[] = [];
      const without: number[] = [];
      for (let i = 0; i < 50; i++) await Promise.all([time(authed.url, token), time(baseline.url, null)]); // warm-up
      for (let i = 0; i < rounds; i++) {
        withAuth.push(await time(authed.url, token));
        without.push(await time(baseline.url, null));
      }
      const [a, b] = [percentile(withAuth, 50), percentile(without, 50)];
      rows.push({
        benchmark: `auth: GET an app, ${who} (p50, ${rounds} calls)`,
        figure: `${a.toFixed(2)} ms (p99 ${fmtMs(percentile(withAuth, 99))})`,
        baseline: `${b.toFixed(2)} ms unauthenticated`,
        ratio: `+${(a - b).toFixed(2)} ms`,
        target: `≤ +${TARGET_MS} ms`,
        met: a - b <= TARGET_MS,
      });
    }
  } finally {
    await new Promise((r) => authed.server.close(r));
    await new Promise((r) => baseline.server.close(r));
  }
  return rows;
}
