// A local stand-in for a GitLab server (gitlab.com is out of reach, and a test must see exactly
// what Berth asked): the commit-status, environments/deployments and project-list API, checking the PRIVATE-TOKEN, and git over smart HTTP
// (git http-backend, checking the oauth2:<token> basic credentials) for its bare repositories.
// Every API call is recorded. Deliveries are sent by the test in GitLab's documented shapes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { createBareRepo, gitHttp, readBody } from './git-http-backend.js';

export interface GitLabCall {
  method: string;
  path: string;
  authorized: boolean;
  body: Record<string, unknown> | null;
}

export interface GitLabEnvironment {
  id: number;
  project: string;
  name: string;
  state: 'available' | 'stopped';
  external_url: string | null;
}

export interface GitLabDeployment {
  id: number;
  project: string;
  environment: string;
  ref: string;
  sha: string;
  tag: boolean;
  status: string;
}

export interface GitLabStandIn {
  url: string;
  token: string;
  calls: GitLabCall[];
  /** A bare repository at <group>/<name>.git; returns its directory (push to it with git). */
  createRepo(path: string): string;
  close(): Promise<void>;
}

export async function startGitLabStandIn(): Promise<GitLabStandIn> {
  const root = mkdtempSync(join(tmpdir(), 'berth-gitlab-'));
  const token = `glpat-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const calls: GitLabCall[] = [];
  const port = await freePort();
  const basic = `Basic ${Buffer.from(`oauth2:${token}`).toString('base64')}`;
  const url = `http://127.0.0.1:${port}`;
  const projects: string[] = [];

  const environments: GitLabEnvironment[] = [];
  const deployments: GitLabDeployment[] = [];
  /** GitLab's environments and deployments API (and a tag lookup), for one project; null: not one of these paths. */
  function environmentsApi(project: string, method: string, rest: string, query: URLSearchParams, body: Record<string, unknown> | null): { status: number; body: unknown } | null {
    const envNamed = (name: string) => environments.find((e) => e.project === project && e.name === name);
    if (method === 'POST' && rest === 'deployments' && body) {
      const name = String(body.environment);
      const env = envNamed(name) ?? { id: environments.length + 1, project, name, state: 'available', external_url: null };
      if (!environments.includes(env)) environments.push(env);
      env.state = 'available';
      const d = { id: deployments.length + 1, project, environment: name, ref: String(body.ref), sha: String(body.sha), tag: body.tag === true, status: String(body.status) };
      deployments.push(d);
      return { status: 201, body: { ...d, environment: { id: env.id, name } } };
    }
    if (method === 'GET' && rest === 'deployments') {
      const list = deployments.filter((d) => d.project === project && (!query.get('environment') || d.environment === query.get('environment')));
      return { status: 200, body: query.get('sort') === 'desc' ? [...list].reverse() : list };
    }
    const deployment = /^deployments\/(\d+)$/.exec(rest);
    if (method === 'PUT' && deployment && body) {
      const d = deployments.find((x) => x.project === project && x.id === Number(deployment[1]));
      if (!d) return { status: 404, body: { message: '404 Not found' } };
      d.status = String(body.status);
      return { status: 200, body: d };
    }
    if (method === 'GET' && rest === 'environments') return { status: 200, body: environments.filter((e) => e.project === project && (!query.get('name') || e.name === query.get('name'))) };
    const environment = /^environments\/(\d+)(\/stop)?$/.exec(rest);
    const env = environment ? environments.find((e) => e.project === project && e.id === Number(environment[1])) : undefined;
    if (environment && !env) return { status: 404, body: { message: '404 Environment Not Found' } };
    if (method === 'PUT' && env && !environment?.[2] && body) {
      env.external_url = typeof body.external_url === 'string' ? body.external_url : env.external_url;
      return { status: 200, body: env };
    }
    if (method === 'POST' && env && environment?.[2]) {
      env.state = 'stopped';
      return { status: 200, body: env };
    }
    const tag = /^repository\/tags\/(.+)$/.exec(rest);
    if (method === 'GET' && tag) {
      try {
        execFileSync('git', ['rev-parse', '--verify', '--quiet', '--end-of-options', `refs/tags/${decodeURIComponent(tag[1] as string)}`], { cwd: join(root, `${project}.git`) });
        return { status: 200, body: { name: decodeURIComponent(tag[1] as string) } };
      } catch {
        return { status: 404, body: { message: '404 Tag Not Found' } };
      }
    }
    return null;
  }

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
        const scoped = /^\/api\/v4\/projects\/([^/]+)\/(.+)$/.exec(path);
        if (scoped) {
          const answer = environmentsApi(decodeURIComponent(scoped[1] as string), req.method ?? 'GET', scoped[2] as string, new URL(req.url ?? '/', url).searchParams, json);
          if (answer) return void res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
        }
        if (req.method === 'GET' && path === '/api/v4/projects') {
          const page = Number(new URL(req.url ?? '/', 'http://stand-in').searchParams.get('page') ?? '1');
          const list = page === 1 ? projects.map((p) => ({ id: projects.indexOf(p) + 1, path_with_namespace: p, visibility: 'private', default_branch: 'main', web_url: `${url}/${p}` })) : [];
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end(JSON.stringify(list));
        }
        return void res.writeHead(404).end('{"message":"404 Not Found"}');
      }
      if (req.headers.authorization !== basic) return void res.writeHead(401, { 'www-authenticate': 'Basic realm="GitLab"' }).end();
      await gitHttp(root, req, res, body, 'oauth2');
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
    createRepo(path) {
      projects.push(path);
      return createBareRepo(root, path);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
