// A real Gitea server for the git-host tests: the binary scripts/setup.sh (test) builds into the
// tools cache, started on a free loopback port with SQLite in a temp directory, a user made with
// `gitea admin user create`, and small helpers over its API (tokens, repositories, webhooks,
// commit statuses) and git pushes to it. Everything it made goes with stop().
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { startProcess, waitUntilReady } from '../../src/services/child-process.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** Keep in step with GITEA_VERSION in scripts/setup.sh. */
export const GITEA_VERSION = '1.26.0';

export interface Gitea {
  url: string;
  user: string;
  password: string;
  /** An access token of the user (repositories and statuses). */
  token: string;
  /** A call to Gitea's API as the user. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  createRepo(name: string): Promise<void>;
  /** A repository webhook to `url` for push and pull-request events, signed with `secret`. */
  createWebhook(repo: string, url: string, secret: string): Promise<number>;
  /** Pushes `branch` of the local repository at `dir` to the user's repository `repo`. */
  push(dir: string, repo: string, branch: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startGitea(toolsDir: string): Promise<Gitea> {
  const home = join(toolsDir, `gitea-${GITEA_VERSION}`);
  const binary = join(home, 'gitea');
  if (!existsSync(binary)) throw new Error(`Gitea ${GITEA_VERSION} is not built at ${binary}: run scripts/setup.sh test`);
  const dir = mkdtempSync(join(tmpdir(), 'berth-gitea-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'app.ini');
  mkdirSync(join(dir, 'custom'), { recursive: true });
  writeFileSync(
    config,
    `APP_NAME = Berth test
RUN_MODE = prod
WORK_PATH = ${dir}
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = ${port}
ROOT_URL = ${url}/
DISABLE_SSH = true
START_SSH_SERVER = false
OFFLINE_MODE = true
LFS_START_SERVER = false
STATIC_ROOT_PATH = ${join(home, 'root')}
APP_DATA_PATH = ${join(dir, 'data')}

[database]
DB_TYPE = sqlite3
PATH = ${join(dir, 'gitea.db')}

[repository]
ROOT = ${join(dir, 'repositories')}

[security]
INSTALL_LOCK = true
SECRET_KEY = ${randomBytes(16).toString('hex')}
INTERNAL_TOKEN = ${randomBytes(40).toString('base64url')}

[oauth2]
ENABLED = false

[service]
DISABLE_REGISTRATION = true

[webhook]
ALLOWED_HOST_LIST = loopback
DELIVER_TIMEOUT = 10

[mailer]
ENABLED = false

[actions]
ENABLED = false

[cron]
ENABLED = false

[log]
MODE = console
LEVEL = Warn
ROOT_PATH = ${join(dir, 'log')}
`,
  );
  const env = { ...process.env, HOME: dir, GITEA_WORK_DIR: dir, GITEA_CUSTOM: join(dir, 'custom'), USER: 'root' };
  const user = 'berth';
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const common = ['--config', config, '--work-path', dir];
  let proc: ReturnType<typeof startProcess> | null = null;
  try {
    // The database and the first user before the web server starts.
    await run(binary, ['migrate', ...common], { env, cwd: dir });
    await run(binary, ['admin', 'user', 'create', ...common, '--username', user, '--password', password, '--email', 'berth@example.com', '--admin', '--must-change-password=false'], { env, cwd: dir });
    proc = startProcess('gitea', binary, ['web', ...common], join(dir, 'gitea.log'), { env });
    await waitUntilReady(proc, async () => (await fetch(`${url}/api/v1/version`)).ok, 60_000);
  } catch (err) {
    await proc?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const web = proc;

  const basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const call = async <T>(method: string, path: string, body: unknown, authorization: string) => {
    const res = await fetch(`${url}/api/v1${path}`, {
      method,
      headers: { authorization, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const made = await call<{ sha1: string }>('POST', `/users/${user}/tokens`, { name: 'berth-tests', scopes: ['write:repository', 'write:user'] }, basic);
  if (made.status !== 201) throw new Error(`Gitea refused a token: HTTP ${made.status} ${JSON.stringify(made.body)}`);
  const token = made.body.sha1;
  const api = <T>(method: string, path: string, body?: unknown) => call<T>(method, path, body, `token ${token}`);
  const must = async (what: string, res: Promise<{ status: number; body: unknown }>, status: number) => {
    const r = await res;
    if (r.status !== status) throw new Error(`Gitea: ${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  return {
    url,
    user,
    password,
    token,
    api,
    async createRepo(name) {
      await must(`create repository ${name}`, api('POST', '/user/repos', { name, private: true, default_branch: 'main' }), 201);
    },
    async createWebhook(repo, target, secret) {
      const hook = (await must(
        'create webhook',
        api('POST', `/repos/${user}/${repo}/hooks`, { type: 'gitea', active: true, events: ['push', 'pull_request'], config: { url: target, content_type: 'json', secret } }),
        201,
      )) as { id: number };
      return hook.id;
    },
    async push(repoDir, repo, branch) {
      // The token as an HTTP header, not in the URL (where git could log it).
      const header = `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
      await run('git', ['-c', `http.extraHeader=${header}`, 'push', '-q', '--', `${url}/${user}/${repo}.git`, `${branch}:${branch}`], { cwd: repoDir, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    },
    async stop() {
      await web.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
