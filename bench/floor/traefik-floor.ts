// Traefik's own part of a switch, with nothing of Berth's around it: a route file written into
// the watched directory (as Berth writes one: a temporary file renamed over it) to a server that
// already answers, until Traefik's entrypoint answers through that route. A deploy or rollback
// moves traffic no sooner than this after its health gate, whatever Berth does: the design puts
// Traefik's file provider in front of every release (ARCHITECTURE.md).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRouteFiles } from '../../activities/router/route-files.js';
import { probeHttp } from '../../src/http-probe.js';
import { median } from '../stats.js';

/** The routes' owner in file names: never a Berth instance's, so nothing of theirs is touched. */
const INSTANCE = 'bench-floor';

/** Median ms from a route file's write until the entrypoint answers through it, over `runs` new routes. */
export async function traefikFloor(routesDir: string, entryUrl: string, runs: number): Promise<number> {
  const server = createServer((_req, res) => res.end('floor'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const files = createRouteFiles(routesDir, INSTANCE);
  const times: number[] = [];
  let environmentId: string | null = null;
  try {
    // One more than asked: the first warms Traefik's path for a new router.
    for (let i = 0; i <= runs; i++) {
      environmentId = `floor-${Date.now()}-${i}`;
      const host = `${environmentId}.localhost`;
      const t0 = performance.now();
      await files.write({ environmentId, deploymentId: environmentId, hosts: [host], servers: [url] });
      for (;;) {
        const res = await probeHttp(`${entryUrl}/`, { host, timeoutMs: 1000, expectedStatus: 200 });
        if (res.ok && res.body === 'floor') break;
        if (performance.now() - t0 > 10_000) throw new Error(`Traefik did not route ${host} within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      if (i > 0) times.push(performance.now() - t0);
      await files.remove(environmentId);
      environmentId = null;
      // The removal's reload (and its throttle, src/services/traefik.ts) over before the next write,
      // as a deploy's earlier route change is long over when its switch comes.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    // A route Traefik never answered through goes too.
    if (environmentId) await files.remove(environmentId);
    await new Promise((resolve) => server.close(resolve));
  }
  return median(times);
}
