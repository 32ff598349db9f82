// What a benchmark does through Berth's real HTTP API and Traefik's entrypoint.
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeHttp } from '../src/http-probe.js';
import { POLL_MS } from './docker-baseline.js';
import type { Json } from '../test/support/json.js';

export class BerthClient {
  /** Requests through Traefik that until() made (the parallel benchmark weighs their CPU). */
  polls = 0;

  constructor(
    readonly apiUrl: string,
    readonly entryUrl: string,
    /** An API token: every call but /healthz needs one. */
    readonly token: string,
  ) {}

  async call<T = Json>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async must<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** POSTs a static site's .tar.gz (a buffer, or streamed from a file) as a deployment; returns its id. */
  async upload(base: string, archive: Buffer | string): Promise<string> {
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(`${this.apiUrl}${base}/deployments`, { method: 'POST', headers: { 'content-type': 'application/gzip', authorization: `Bearer ${this.token}` } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      if (typeof archive === 'string') pipeline(createReadStream(archive), req).catch(reject);
      else req.end(archive);
    });
    const body = JSON.parse(text) as { deploymentId?: string };
    if (status !== 202 || !body.deploymentId) throw new Error(`upload → ${status} ${text}`);
    return body.deploymentId;
  }

  async createStaticApp(name: string, environment: Record<string, unknown> = {}) {
    await this.must('POST', '/api/v1/projects', { name: `p-${name}` });
    await this.must('POST', '/api/v1/apps', { project: `p-${name}`, name, kind: 'static' });
    const env = await this.must('POST', `/api/v1/apps/${name}/environments`, { name: 'prod', ...environment });
    return { base: `/api/v1/apps/${name}/environments/prod`, host: env.hosts[0] as string, environmentId: env.id as string };
  }

  /** Project, app and environment in one go; returns the environment's base path and host. */
  async createImageApp(name: string, environment: Record<string, unknown> = {}, healthCheck: Record<string, unknown> = {}) {
    await this.must('POST', '/api/v1/projects', { name: `p-${name}` });
    await this.must('POST', '/api/v1/apps', { project: `p-${name}`, name, port: 8080, healthCheck: { path: '/healthz', ...healthCheck } });
    const env = await this.must('POST', `/api/v1/apps/${name}/environments`, { name: 'prod', ...environment });
    return { base: `/api/v1/apps/${name}/environments/prod`, host: env.hosts[0] as string, environmentId: env.id as string };
  }

  /** Polls GET / through Traefik until it answers `body`; resolves with the time it took. */
  async until(host: string, body: string, timeoutMs = 60_000, everyMs = POLL_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.polls++;
      const res = await probeHttp(`${this.entryUrl}/`, { host, timeoutMs: 1000, expectedStatus: 200 });
      if (res.ok && res.body.trim() === body) return;
      await sleep(everyMs);
    }
    throw new Error(`${host} did not answer ${body} within ${timeoutMs} ms`);
  }

  async finished(deploymentId: string, timeoutMs = 120_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const d = await this.must('GET', `/api/v1/deployments/${deploymentId}`);
      if (['succeeded', 'failed', 'cancelled', 'superseded'].includes(d.status)) return d;
      await sleep(50);
    }
    throw new Error(`deployment ${deploymentId} did not finish`);
  }
}
