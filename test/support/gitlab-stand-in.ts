// A local stand-in for a GitLab server (gitlab.com is out of reach, and a test must see exactly
// what Berth asked): the commit-status API, checking the PRIVATE-TOKEN, and git over smart HTTP
// (git http-backend, checking the oauth2:<token> basic credentials) for its bare repositories.
// Every API call is recorded. Deliveries are sent by the test in GitLab's documented shapes.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export interface GitLabCall {
  method: string;
  path: string;
  authorized: boolean;
  body: Record<string, unknown> | null;
}

export interface GitLabStandIn {
  url: string;
  token: string;
  calls: GitLabCall[];
  /** A bare repository at <group>/<name>.git; returns its directory (push to it with git). */
  createRepo(path: string): string;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** git http-backend as a CGI program: the request in, its headers and body out. */
async function gitHttp(root: string, req: IncomingMessage, res: ServerResponse, body: Buffer) {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: String(body.length),
      REMOTE_USER: 'oauth2',
      REMOTE_ADDR: '127.0.0.1',
      HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
    },
  });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  // A GET needs no body, and the backend may exit before reading one: a closed pipe is fine.
  child.stdin.on('error', () => undefined);
  child.stdin.end(body.length > 0 ? body : undefined);
  await new Promise((resolve) => child.on('close', resolve));
  const all = Buffer.concat(out);
  const split = all.indexOf('\r\n\r\n') >= 0 ? all.indexOf('\r\n\r\n') : all.indexOf('\n\n');
  const gap = all.indexOf('\r\n\r\n') >= 0 ? 4 : 2;
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of all.subarray(0, split).toString('latin1').split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at < 0) continue;
    const [name, value] = [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
    else headers[name] = value;
  }
  res.writeHead(status, headers);
  res.end(all.subarray(split + gap));
}

export async function startGitLabStandIn(): Promise<GitLabStandIn> {
  const root = mkdtempSync(join(tmpdir(), 'berth-gitlab-'));
  const token = `glpat-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const calls: GitLabCall[] = [];
  const port = await freePort();
  const basic = `Basic ${Buffer.from(`oauth2:${token}`).toString('base64')}`;

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? '/').split('?')[0] as string;
      if (path.startsWith('/api/v4/')) {
        const authorized = req.headers['private-token'] === token;
        let json: Record<string, unknown> | null = null;
        try {
          json = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : null;
        } catch {
          json = null;
        }
        calls.push({ method: req.method ?? 'GET', path: decodeURIComponent(path), authorized, body: json });
        if (!authorized) return void res.writeHead(401).end('{"message":"401 Unauthorized"}');
        if (req.method === 'POST' && /^\/api\/v4\/projects\/[^/]+\/statuses\/[0-9a-f]{40}$/.test(path)) {
          res.writeHead(201, { 'content-type': 'application/json' });
          return void res.end(JSON.stringify({ id: calls.length, status: json?.state, name: json?.name }));
        }
        return void res.writeHead(404).end('{"message":"404 Not Found"}');
      }
      if (req.headers.authorization !== basic) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="GitLab"' }).end();
      await gitHttp(root, req, res, body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    calls,
    createRepo(path) {
      const dir = join(root, `${path}.git`);
      execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
      // Fetching one commit by its id (as Berth's builds do) over smart HTTP.
      execFileSync('git', ['config', 'uploadpack.allowAnySHA1InWant', 'true'], { cwd: dir });
      return dir;
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
