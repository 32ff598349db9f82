// A bounded POST load on 127.0.0.1: prepared requests sent either at a fixed rate (open loop,
// for latency at a given throughput) or as fast as `concurrency` allows (closed loop, for the
// most it takes). Stops after the last request or at the deadline, whichever comes first.
import { Agent, request } from 'node:http';

export interface Prepared {
  headers: Record<string, string>;
  body: Buffer;
}

export interface PostLoadResult {
  sent: number;
  /** Status code → count. */
  statuses: Map<number, number>;
  /** Answer body field `status` → count (accepted, duplicate, …), when JSON. */
  answers: Map<string, number>;
  errors: string[];
  latenciesMs: number[];
  /** When each answered request was sent, ms after the load started (same order as latenciesMs). */
  sentAtMs: number[];
  elapsedMs: number;
}

/** Requests slower than `ms`, counted per second of the load: where a tail comes from. */
export function slowBySecond(r: PostLoadResult, ms: number): string {
  const seconds = new Map<number, number>();
  r.latenciesMs.forEach((l, i) => {
    if (l > ms) seconds.set(Math.floor((r.sentAtMs[i] ?? 0) / 1000), (seconds.get(Math.floor((r.sentAtMs[i] ?? 0) / 1000)) ?? 0) + 1);
  });
  return [...seconds].sort(([a], [b]) => a - b).map(([s, n]) => `${s}s:${n}`).join(' ') || 'none';
}

export async function postLoad(options: { url: string; requests: Prepared[]; ratePerSecond?: number; concurrency: number; maxMs: number }): Promise<PostLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const target = new URL(options.url);
  const result: PostLoadResult = { sent: 0, statuses: new Map(), answers: new Map(), errors: [], latenciesMs: [], sentAtMs: [], elapsedMs: 0 };
  const started = performance.now();
  let next = 0;

  const one = (r: Prepared) =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { ...r.headers, 'content-length': String(r.body.length) }, timeout: 10_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            result.latenciesMs.push(performance.now() - t0);
            result.sentAtMs.push(t0 - started);
            result.statuses.set(res.statusCode ?? 0, (result.statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            try {
              const status = (JSON.parse(Buffer.concat(chunks).toString()) as { status?: string }).status;
              if (status) result.answers.set(status, (result.answers.get(status) ?? 0) + 1);
            } catch {
              // not JSON
            }
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err) => {
        if (result.errors.length < 10) result.errors.push(err.message);
        resolve();
      });
      req.end(r.body);
    });

  const worker = async () => {
    while (next < options.requests.length && performance.now() - started < options.maxMs) {
      const i = next++;
      if (options.ratePerSecond) {
        const due = started + (i * 1000) / options.ratePerSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      result.sent++;
      await one(options.requests[i] as Prepared);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  result.elapsedMs = performance.now() - started;
  agent.destroy();
  return result;
}
