// A bounded HTTP load on 127.0.0.1 (Traefik's entrypoint): a fixed request rate, stopped by
// the caller, by a request count or by a deadline, whichever comes first. Records every
// answer so a test can prove nothing failed and see which versions answered. Over https the
// Host is also the SNI name and the certificate must verify against `ca`.
import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** Body (trimmed) → count, for 200 answers. */
  bodies: Map<string, number>;
  /** The first failures, for the assertion message. */
  failures: string[];
  latenciesMs: number[];
}

export interface LoadOptions {
  url: string;
  host: string;
  path?: string;
  ratePerSecond: number;
  maxRequests: number;
  maxMs: number;
  /** Each answer must be one of these bodies to count as ok (after trim), when given. */
  acceptBodies?: string[];
  /** For an https URL: the only CA trusted. */
  ca?: string;
}

export interface RunningLoad {
  stop(): Promise<LoadResult>;
  done: Promise<LoadResult>;
  /** The figures so far (live object). */
  progress(): LoadResult;
}

export function startLoad(options: LoadOptions): RunningLoad {
  const secure = options.url.startsWith('https:');
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: 64, ca: options.ca, servername: options.host }) : new Agent({ keepAlive: true, maxSockets: 64 });
  const send = secure ? httpsRequest : request;
  const result: LoadResult = { sent: 0, ok: 0, failed: 0, bodies: new Map(), failures: [], latenciesMs: [] };
  const inflight = new Set<Promise<void>>();
  const started = Date.now();
  let stopped = false;
  const fail = (why: string) => {
    result.failed++;
    if (result.failures.length < 10) result.failures.push(`${why} (at ${new Date().toISOString()})`);
  };

  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = send(`${options.url}${options.path ?? '/'}`, { agent, headers: { host: options.host }, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          result.latenciesMs.push(performance.now() - t0);
          const text = body.trim();
          if (res.statusCode !== 200) fail(`HTTP ${res.statusCode}: ${text.slice(0, 80)}`);
          else if (options.acceptBodies && !options.acceptBodies.includes(text)) fail(`unexpected body ${text.slice(0, 80)}`);
          else {
            result.ok++;
            result.bodies.set(text, (result.bodies.get(text) ?? 0) + 1);
          }
          resolve();
        });
        res.on('error', (err) => {
          fail(err.message);
          resolve();
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        fail(err.message);
        resolve();
      });
      req.end();
    });

  const interval = 1000 / options.ratePerSecond;
  const done = new Promise<LoadResult>((resolve) => {
    const tick = async () => {
      while (!stopped && result.sent < options.maxRequests && Date.now() - started < options.maxMs) {
        const due = started + result.sent * interval;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        result.sent++;
        const p = one();
        inflight.add(p);
        void p.then(() => inflight.delete(p));
      }
      await Promise.all(inflight);
      agent.destroy();
      resolve(result);
    };
    void tick();
  });
  return {
    done,
    progress: () => result,
    async stop() {
      stopped = true;
      return done;
    },
  };
}
