// One HTTP GET with a deadline, optionally with a Host header (fetch cannot set one), used by
// health probes and route verification. Never throws: failures come back as a result. Over
// https the Host is also the SNI name, and the certificate is not checked: a route is confirmed
// while its certificate may still be on its way from the CA.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeResult {
  ok: boolean;
  status: number | null;
  /** Why it failed: "HTTP 503", "ECONNREFUSED", "timeout after 2000 ms" … */
  reason: string | null;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

export function probeHttp(
  url: string,
  options: { host?: string; timeoutMs: number; expectedStatus: number; signal?: AbortSignal },
): Promise<ProbeResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let headers: ProbeResult['headers'] = {};
    const done = (status: number | null, reason: string | null, body = '') =>
      resolve({ ok: reason === null, status, reason, body, headers, ms: performance.now() - started });
    let req: ReturnType<typeof httpRequest>;
    try {
      const common = { method: 'GET', headers: options.host ? { host: options.host } : {}, agent: false, signal: options.signal };
      req = url.startsWith('https:')
        ? httpsRequest(url, { ...common, rejectUnauthorized: false, ...(options.host ? { servername: options.host } : {}) })
        : httpRequest(url, common);
    } catch (err) {
      done(null, (err as Error).message);
      return;
    }
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${options.timeoutMs} ms`)), options.timeoutMs);
    req.on('response', (res) => {
      headers = res.headers;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        done(status, status === options.expectedStatus ? null : `HTTP ${status}`, body);
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        done(res.statusCode ?? null, err.message);
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      done(null, err.code ?? err.message);
    });
    req.end();
  });
}
