// A local stand-in for Bitbucket Cloud (bitbucket.org is out of reach, and a test must see
// exactly what Berth asked). It speaks the parts of the 2.0 REST API Berth uses — build statuses
// on a commit (POST, and GET to read them back), a commit by full or abbreviated hash (answered
// from the real bare repository), the repositories of role=member with "next" pages — each
// checking the access token (Authorization: Bearer), and git over smart HTTP checking the
// x-token-auth:<token> basic credentials. Every API call is recorded. Deliveries are signed
// and sent by signedDelivery, in Bitbucket's documented header set.
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { createBareRepo, gitHttp, readBody } from './git-http-backend.js';

export interface BitbucketCall {
  method: string;
  path: string;
  authorized: boolean;
  body: Record<string, unknown> | null;
}

export interface BitbucketStandIn {
  url: string;
  token: string;
  calls: BitbucketCall[];
  /** A bare repository for <workspace>/<slug>; returns its directory (push to it with git). */
  createRepo(fullName: string): string;
  close(): Promise<void>;
}

/** The headers Bitbucket sends with a delivery of `body` from a webhook with `secret`. */
export function signedDelivery(secret: string, eventKey: string, body: string, requestUuid: string = randomUUID()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Bitbucket-Webhooks/2.0',
    'x-event-key': eventKey,
    'x-hook-uuid': randomUUID(),
    'x-request-uuid': requestUuid,
    'x-attempt-number': '1',
    'x-hub-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
}

const PAGE = 2;
const json = (res: import('node:http').ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

export async function startBitbucketStandIn(): Promise<BitbucketStandIn> {
  const root = mkdtempSync(join(tmpdir(), 'berth-bitbucket-'));
  const token = `ATCTT3x${randomUUID().replaceAll('-', '')}`;
  const calls: BitbucketCall[] = [];
  const statuses = new Map<string, Record<string, unknown>[]>();
  const repos: string[] = [];
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gitBasic = `Basic ${Buffer.from(`x-token-auth:${token}`).toString('base64')}`;

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const full = new URL(req.url ?? '/', url);
      const path = decodeURIComponent(full.pathname);
      if (path.startsWith('/2.0/')) {
        const authorized = req.headers.authorization === `Bearer ${token}`;
        let parsed: Record<string, unknown> | null = null;
        try {
          parsed = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : null;
        } catch {
          parsed = null;
        }
        calls.push({ method: req.method ?? 'GET', path: `${path}${full.search}`, authorized, body: parsed });
        if (!authorized) return void json(res, 401, { type: 'error', error: { message: 'Unauthorized' } });
        const status = /^\/2\.0\/repositories\/([^/]+\/[^/]+)\/commit\/([0-9a-f]{40})\/statuses(\/build)?$/.exec(path);
        if (status && req.method === 'POST' && status[3] && parsed) {
          const key = `${status[1]}@${status[2]}`;
          // Bitbucket keeps one status per key: a later one replaces it.
          const list = (statuses.get(key) ?? []).filter((s) => s.key !== parsed?.key);
          statuses.set(key, [...list, { type: 'build', ...parsed }]);
          return void json(res, 201, { type: 'build', ...parsed });
        }
        if (status && req.method === 'GET' && !status[3]) return void json(res, 200, { values: statuses.get(`${status[1]}@${status[2]}`) ?? [], pagelen: 10, page: 1 });
        const commit = /^\/2\.0\/repositories\/([^/]+\/[^/]+)\/commit\/([0-9a-f]{7,40})$/.exec(path);
        if (commit && req.method === 'GET' && repos.includes(commit[1] as string)) {
          try {
            const hash = execFileSync('git', ['rev-parse', '--verify', '--quiet', '--end-of-options', `${commit[2]}^{commit}`], { cwd: join(root, `${commit[1]}.git`) }).toString().trim();
            return void json(res, 200, { type: 'commit', hash });
          } catch {
            return void json(res, 404, { type: 'error', error: { message: 'Commit not found' } });
          }
        }
        if (path === '/2.0/repositories' && req.method === 'GET' && full.searchParams.get('role') === 'member') {
          const page = Number(full.searchParams.get('page') ?? '1');
          const values = repos.slice((page - 1) * PAGE, page * PAGE).map((r) => ({ type: 'repository', full_name: r, is_private: true, mainbranch: { type: 'branch', name: 'main' }, links: { html: { href: `${url}/${r}` } } }));
          const more = page * PAGE < repos.length;
          return void json(res, 200, { values, pagelen: PAGE, page, size: repos.length, ...(more ? { next: `${url}/2.0/repositories?role=member&pagelen=100&page=${page + 1}` } : {}) });
        }
        return void json(res, 404, { type: 'error', error: { message: 'Resource not found' } });
      }
      if (req.headers.authorization !== gitBasic) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="Bitbucket.org HTTP"' }).end();
      await gitHttp(root, req, res, body, 'x-token-auth');
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    url,
    token,
    calls,
    createRepo(fullName) {
      repos.push(fullName);
      return createBareRepo(root, fullName);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
