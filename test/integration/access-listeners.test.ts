// What each listener answers: the API listener checks the Host header (DNS rebinding) and sets
// security headers on every response; the webhook-only listener (BERTH_WEBHOOK_LISTEN) serves
// git-host webhooks and GitHub's redirects, and nothing else — not the API, not the document,
// not health or metrics.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startApiServer, type ApiServer } from '../../src/process/api-server.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { freePort } from '../support/free-port.js';

let berth: TestBerth;
let server: ApiServer;

beforeAll(async () => {
  berth = await startBerth({ workers: false });
  const config = loadConfig({ ...berth.env, BERTH_API_PORT: String(await freePort()), BERTH_WEBHOOK_LISTEN: `127.0.0.1:${await freePort()}` });
  server = await startApiServer({ config, database: berth.database, temporal: berth.temporal, log: createLogger({ level: 'silent', format: 'json' }) });
});

afterAll(async () => {
  await server?.close();
  await berth?.close();
});

test('the webhook listener serves webhooks and GitHub’s redirects only', async () => {
  expect(server.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const hook = await fetch(`${server.webhookUrl}/webhooks/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'ping' }, body: '{}' });
  expect(hook.status).toBe(401);
  expect(await hook.text()).toMatch(/X-Hub-Signature-256 is missing/);
  const callback = await fetch(`${server.webhookUrl}/github/app/callback?code=abc&state=made-up`, { redirect: 'manual' });
  expect(callback.status).toBe(403);
  for (const path of ['/api/v1/projects', '/api/v1/setup', '/api/v1/auth/login', '/api/v1/openapi.json', '/api/v1/reference', '/healthz', '/metrics', '/github/app/new', '/']) {
    for (const method of ['GET', 'POST']) {
      const res = await fetch(`${server.webhookUrl}${path}`, { method, headers: { authorization: `Bearer ${berth.token}` } });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  }
  // The API listener has them all.
  expect((await fetch(`${server.url}/api/v1/projects`, { headers: { authorization: `Bearer ${berth.token}` } })).status).toBe(200);
});

test('the API listener answers only to its own host names', async () => {
  // fetch() will not send another Host header than the URL's: a plain HTTP request, as a browser on a rebound name sends it.
  const asHost = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/v1/projects`, { headers: { host, authorization: `Bearer ${berth.token}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  for (const host of ['evil.example', 'rebind.attacker.test:7480', '127.0.0.1.nip.io']) {
    const res = await asHost(host);
    expect(res.status, host).toBe(421);
    expect((JSON.parse(res.body) as { error: { type: string } }).error.type).toBe('Forbidden');
  }
  for (const host of ['localhost', '127.0.0.1:1234', new URL(server.url).host]) expect((await asHost(host)).status, host).toBe(200);
});

test('security headers on every response, HSTS and Secure cookies when Berth is served over https', async () => {
  for (const path of ['/api/v1/projects', '/api/v1/reference', '/healthz', '/nowhere']) {
    const res = await berth.app.request(path);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp, path).toContain("default-src 'self'");
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    expect(res.headers.get('strict-transport-security'), path).toBeNull();
  }
  const https = await startBerth({ workers: false, env: { BERTH_PUBLIC_URL: 'https://berth.example.test' } });
  try {
    const res = await https.app.request('https://berth.example.test/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"x@example.test","password":"y"}' });
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const { makeUser } = await import('../support/accounts.js');
    const user = await makeUser(https.database.db, { password: 'a long enough passphrase' });
    const signed = await https.app.request('https://berth.example.test/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: 'a long enough passphrase' }) });
    expect(signed.status).toBe(200);
    // __Host-: only this host may set it, so an app on a neighbouring subdomain cannot plant one.
    const cookie = signed.headers.getSetCookie().find((c) => c.startsWith('__Host-berth_session=')) as string;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/i);
    const session = cookie.split(';')[0] as string;
    expect((await https.app.request('https://berth.example.test/api/v1/auth/whoami', { headers: { cookie: session } })).status).toBe(200);
    expect((await https.app.request('https://berth.example.test/api/v1/auth/whoami', { headers: { cookie: session.replace('__Host-', '') } })).status).toBe(401);
    expect((await https.app.request('https://evil.example/api/v1/projects')).status).toBe(421);
  } finally {
    await https.close();
  }
});
