// Git over smart HTTP for the forge stand-ins: git http-backend as a CGI program serving the
// bare repositories under a root (the stand-in checks credentials before handing a request here).
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const readBody = (req: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** git http-backend as a CGI program: the request in, its headers and body out. */
export async function gitHttp(root: string, req: IncomingMessage, res: ServerResponse, body: Buffer, user: string) {
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
      REMOTE_USER: user,
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

/** A bare repository `<name>.git` under `root` that serves fetches of one commit by its id, as Berth's builds make them. */
export function createBareRepo(root: string, name: string): string {
  const dir = join(root, `${name}.git`);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
  execFileSync('git', ['config', 'uploadpack.allowAnySHA1InWant', 'true'], { cwd: dir });
  return dir;
}
