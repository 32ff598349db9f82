// HTTPS against plain HTTP through the same Traefik: full TLS handshakes per second (every
// connection new, no session resumption) beside plain TCP connects, and request latency over
// kept-alive connections and over a new connection per request, side by side. The certificate
// is a real one from Pebble (ECDSA P-256, as Berth's resolvers ask for), on a route Berth's own
// route-file writer put in place, in front of a small backend on loopback.
import { createServer, request as httpRequest, Agent as HttpAgent, type Server } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createRouteFiles } from '../activities/router/route-files.js';
import { DEFAULT_HTTPS, routeTls } from '../src/domain/https.js';
import { startHttpsStand } from '../test/support/https-stand.js';
import { httpsGet } from '../test/support/https-stand.js';
import { waitFor } from '../test/support/wait.js';
import { fmtMs, median, percentile, type Row } from './stats.js';

const HOST = 'bench.berth.test';

/** How many connections a loop of `concurrency` workers completes in `seconds`. */
async function connectionsPerSecond(seconds: number, concurrency: number, once: () => Promise<void>): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        await once();
        done++;
      }
    }),
  );
  return done / seconds;
}

function handshake(port: number, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: HOST, ca, ALPNProtocols: ['http/1.1'] }, () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

function tcpConnectOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** Latencies of `count` sequential GETs. */
async function latencies(count: number, get: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const status = await get();
    if (status !== 200) throw new Error(`HTTP ${status}`);
    out.push(performance.now() - t0);
  }
  return out;
}

function getter(secure: boolean, port: number, ca: string, agent: HttpAgent | HttpsAgent | false): () => Promise<number> {
  return () =>
    new Promise((resolve, reject) => {
      const options = { host: '127.0.0.1', port, path: '/', headers: { host: HOST }, agent };
      const req = secure ? httpsRequest({ ...options, servername: HOST, ca }, onResponse) : httpRequest(options, onResponse);
      function onResponse(res: import('node:http').IncomingMessage) {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }
      req.on('error', reject);
      req.end();
    });
}

/** Sub-millisecond figures: two decimals. */
const ms = (value: number) => `${value.toFixed(2)} ms`;

function row(benchmark: string, https: number[], http: number[]): Row {
  const [a, b] = [median(https), median(http)];
  return {
    benchmark,
    figure: `HTTPS p50 ${ms(a)} p99 ${ms(percentile(https, 99))}`,
    baseline: `HTTP p50 ${ms(b)} p99 ${ms(percentile(http, 99))}`,
    ratio: `${(a / b).toFixed(2)}×`,
    target: 'printed side by side',
    met: null,
  };
}

export async function httpsBench(toolsDir: string, requests: number, seconds: number): Promise<Row[]> {
  const stand = await startHttpsStand(toolsDir);
  let backend: Server | null = null;
  try {
    backend = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => (backend as Server).listen(0, '127.0.0.1', r));
    const backendPort = (backend.address() as { port: number }).port;
    const hosts = [HOST];
    await createRouteFiles(stand.routesDir, 'bench').write({
      environmentId: 'env_bench',
      deploymentId: 'dep_bench',
      hosts,
      servers: [`http://127.0.0.1:${backendPort}`],
      // No redirect: plain HTTP must answer for the baseline.
      tls: routeTls({ ...DEFAULT_HTTPS, mode: 'auto', redirect: false }, hosts, stand.httpsPort),
    });
    const t0 = performance.now();
    await waitFor('the certificate from Pebble', async () => httpsGet(stand.httpsPort, HOST, stand.root).catch(() => undefined), 60_000, 100);
    const issuedMs = performance.now() - t0;

    const handshakes = await connectionsPerSecond(seconds, 8, () => handshake(stand.httpsPort, stand.root));
    const connects = await connectionsPerSecond(seconds, 8, () => tcpConnectOnce(stand.httpPort));
    const keepHttps = new HttpsAgent({ keepAlive: true, maxSockets: 1 });
    const keepHttp = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const warm = Math.min(50, requests);
    await latencies(warm, getter(true, stand.httpsPort, stand.root, keepHttps));
    await latencies(warm, getter(false, stand.httpPort, stand.root, keepHttp));
    const kept = {
      https: await latencies(requests, getter(true, stand.httpsPort, stand.root, keepHttps)),
      http: await latencies(requests, getter(false, stand.httpPort, stand.root, keepHttp)),
    };
    const fresh = {
      https: await latencies(requests, getter(true, stand.httpsPort, stand.root, false)),
      http: await latencies(requests, getter(false, stand.httpPort, stand.root, false)),
    };
    keepHttps.destroy();
    keepHttp.destroy();
    return [
      { benchmark: 'https: certificate from Pebble (route written → served)', figure: fmtMs(issuedMs), baseline: '-', ratio: '-', target: '-', met: null },
      {
        benchmark: 'https: TLS handshakes/s (8 clients, new connection each)',
        figure: `${handshakes.toFixed(0)}/s`,
        baseline: `TCP connects ${connects.toFixed(0)}/s`,
        ratio: `${(handshakes / connects).toFixed(2)}×`,
        target: 'printed',
        met: null,
      },
      row(`https vs http: request latency, kept-alive (${requests} sequential)`, kept.https, kept.http),
      row(`https vs http: request latency, new connection each (${requests} sequential)`, fresh.https, fresh.http),
    ];
  } finally {
    await new Promise<void>((r) => (backend ? backend.close(() => r()) : r()));
    await stand.stop();
  }
}
