// A local HTTP server standing in for GitHub's REST API (github.com is out of reach here, and a
// test must see exactly what Berth asked): app-manifest conversions, app JWTs checked against
// the app's real key, installation tokens, installation repositories, commit statuses,
// deployments and their statuses, pull-request files. Every request is recorded.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Json } from './json.js';
import { serveWebPage, type WebPagesContext } from './github-web-pages.js';

export interface StandInRepository {
  id: number;
  full_name: string;
  clone_url: string;
  default_branch?: string;
  private?: boolean;
}

export interface StandInInstallation {
  id: number;
  account: string;
  repositories: StandInRepository[];
}

export interface RecordedCall {
  method: string;
  path: string;
  /** How the call was authenticated: the app's JWT, an installation token, or not at all. */
  auth: 'jwt' | 'token' | 'none' | 'invalid';
  body: Json;
}

export interface StandInDeployment {
  id: number;
  repository: string;
  sha: string;
  ref: string;
  environment: string;
  payload: unknown;
}

export interface GitHubStandIn {
  url: string;
  webUrl: string;
  calls: RecordedCall[];
  /** What the manifest conversion hands out (the test knows the webhook secret). */
  app: { id: number; slug: string; webhookSecret: string; privateKey: string };
  /** Installation tokens handed out so far (secrets Berth holds for an hour at most). */
  issuedTokens(): string[];
  /** A one-time code the manifest callback may exchange. */
  issueManifestCode(): string;
  /** Manifests posted to the "create this app" page, newest last. */
  manifests: WebPagesContext['manifests'];
  installations: StandInInstallation[];
  pullRequestFiles: Map<string, string[]>;
  /** Calls to Berth's feedback endpoints (statuses, deployments), as "METHOD path state". */
  feedbackCalls(): string[];
  /** GitHub Deployments made, oldest first. */
  deployments: StandInDeployment[];
  /** The next Deployment is made but its answer is lost (the connection is cut). */
  loseNextDeploymentAnswer(): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startGitHubStandIn(options: { installations?: StandInInstallation[] } = {}): Promise<GitHubStandIn> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const verifyKey = createPublicKey(publicKey);
  const appId = 4200 + Math.floor(Math.random() * 1000);
  const app = { id: appId, slug: `berth-test-${appId}`, webhookSecret: randomBytes(20).toString('hex'), privateKey };
  const codes = new Set<string>();
  const tokens = new Map<string, number>(); // token → installation id
  const calls: RecordedCall[] = [];
  let nextId = 1000;
  const pullRequestFiles = new Map<string, string[]>();
  const installations = options.installations ?? [];
  const deployments: StandInDeployment[] = [];
  let answersToLose = 0;
  const webPages: WebPagesContext = {
    issueCode: () => {
      const code = randomBytes(10).toString('hex');
      codes.add(code);
      return code;
    },
    installation: () => installations[0] && { id: installations[0].id, account: installations[0].account },
    manifests: [],
  };

  const auth = (req: IncomingMessage): RecordedCall['auth'] => {
    const header = req.headers.authorization ?? '';
    if (!header) return 'none';
    const [scheme, value = ''] = header.split(' ');
    if (scheme?.toLowerCase() === 'bearer') {
      const [h, p, s] = value.split('.');
      if (!h || !p || !s) return 'invalid';
      const ok = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), verifyKey, Buffer.from(s, 'base64url'));
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss?: number | string; exp?: number };
      return ok && Number(claims.iss) === appId && (claims.exp ?? 0) > Date.now() / 1000 ? 'jwt' : 'invalid';
    }
    if (scheme?.toLowerCase() === 'token') return tokens.has(value) ? 'token' : 'invalid';
    return 'invalid';
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Json, url: URL, kind: RecordedCall['auth']) => {
    const path = url.pathname;
    const m = (pattern: RegExp) => pattern.exec(path);
    const needs = (what: 'jwt' | 'token') => {
      if (kind === what) return true;
      send(res, 401, { message: 'Bad credentials' });
      return false;
    };
    let match: RegExpExecArray | null;
    if (req.method === 'POST' && (match = m(/^\/app-manifests\/([^/]+)\/conversions$/))) {
      if (!codes.delete(match[1] as string)) return send(res, 404, { message: 'Not Found' });
      return send(res, 201, {
        id: appId,
        slug: app.slug,
        name: `Berth test ${appId}`,
        html_url: `${webUrl}/apps/${app.slug}`,
        client_id: `Iv1.${randomBytes(8).toString('hex')}`,
        client_secret: randomBytes(20).toString('hex'),
        webhook_secret: app.webhookSecret,
        pem: privateKey,
        owner: { login: 'octo-org' },
      });
    }
    if (req.method === 'GET' && path === '/app/installations') {
      if (!needs('jwt')) return;
      return send(res, 200, installations.map(installationJson));
    }
    if (req.method === 'GET' && (match = m(/^\/app\/installations\/(\d+)$/))) {
      if (!needs('jwt')) return;
      const i = installations.find((x) => x.id === Number(match?.[1]));
      return i ? send(res, 200, installationJson(i)) : send(res, 404, { message: 'Not Found' });
    }
    if (req.method === 'POST' && (match = m(/^\/app\/installations\/(\d+)\/access_tokens$/))) {
      if (!needs('jwt')) return;
      const id = Number(match[1]);
      if (!installations.some((x) => x.id === id)) return send(res, 404, { message: 'Not Found' });
      const token = `ghs_${randomBytes(18).toString('hex')}`;
      tokens.set(token, id);
      return send(res, 201, { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: { contents: 'read' }, repository_selection: 'selected' });
    }
    if (req.method === 'GET' && path === '/installation/repositories') {
      if (!needs('token')) return;
      const token = (req.headers.authorization ?? '').split(' ')[1] as string;
      const i = installations.find((x) => x.id === tokens.get(token));
      const repos = (i?.repositories ?? []).map((r) => ({
        private: false,
        default_branch: 'main',
        html_url: `${webUrl}/${r.full_name}`,
        ...r,
      }));
      return send(res, 200, { total_count: repos.length, repositories: repos });
    }
    if (req.method === 'POST' && (match = m(/^\/repos\/[^/]+\/[^/]+\/statuses\/([0-9a-f]{40})$/))) {
      if (!needs('token')) return;
      return send(res, 201, { id: nextId++, state: body?.state, context: body?.context });
    }
    if (req.method === 'POST' && (match = m(/^\/repos\/([^/]+\/[^/]+)\/deployments$/))) {
      if (!needs('token')) return;
      const made = { id: nextId++, repository: match[1] as string, sha: body?.ref, ref: body?.ref, environment: body?.environment, payload: body?.payload ?? {} };
      deployments.push(made);
      // GitHub made it, but the answer never arrives (a cut connection): the caller must not make a second.
      if (answersToLose > 0) {
        answersToLose--;
        return res.destroy();
      }
      return send(res, 201, made);
    }
    if (req.method === 'GET' && (match = m(/^\/repos\/([^/]+\/[^/]+)\/deployments$/))) {
      if (!needs('token')) return;
      const q = url.searchParams;
      const found = deployments.filter(
        (d) => d.repository === match?.[1] && (!q.get('sha') || d.sha === q.get('sha')) && (!q.get('environment') || d.environment === q.get('environment')),
      );
      return send(res, 200, [...found].reverse());
    }
    if (req.method === 'POST' && m(/^\/repos\/[^/]+\/[^/]+\/deployments\/\d+\/statuses$/)) {
      if (!needs('token')) return;
      return send(res, 201, { id: nextId++, state: body?.state });
    }
    if (req.method === 'GET' && (match = m(/^\/repos\/([^/]+\/[^/]+)\/pulls\/(\d+)\/files$/))) {
      if (!needs('token')) return;
      const files = pullRequestFiles.get(`${match[1]}#${match[2]}`) ?? [];
      return send(res, 200, files.map((filename) => ({ filename, status: 'modified' })));
    }
    send(res, 404, { message: 'Not Found' });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Json = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (serveWebPage(req, res, text, url, webPages)) return;
      const kind = auth(req);
      calls.push({ method: req.method ?? 'GET', path: url.pathname, auth: kind, body });
      handle(req, res, body, url, kind);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const webUrl = `${url}/web`;

  function installationJson(i: StandInInstallation) {
    return {
      id: i.id,
      app_id: appId,
      account: { login: i.account, type: 'Organization', id: createHash('sha1').update(i.account).digest()[0] },
      target_type: 'Organization',
      repository_selection: 'selected',
      suspended_at: null,
    };
  }

  return {
    url,
    webUrl,
    calls,
    app,
    issuedTokens: () => [...tokens.keys()],
    installations,
    pullRequestFiles,
    deployments,
    loseNextDeploymentAnswer() {
      answersToLose++;
    },
    issueManifestCode: webPages.issueCode,
    manifests: webPages.manifests,
    feedbackCalls() {
      return calls
        .filter((c) => /\/(statuses|deployments)/.test(c.path) && c.method === 'POST')
        .map((c) => {
          const what = /\/deployments\/\d+\/statuses$/.test(c.path) ? 'deployment-status' : /\/deployments$/.test(c.path) ? 'deployment' : 'commit-status';
          return `${what} ${c.body?.state ?? c.body?.environment ?? ''}`.trim();
        });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
