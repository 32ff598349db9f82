// Berth on a Docker daemon and a Traefik of the test's own (never the machine's), for tests that
// restart the engine: the daemon (optionally a single-node Swarm of its own, optionally reached
// through a pass-through socket that can hold a request) and the Traefik Berth routes through.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { toolPaths } from '../../src/process/embedded-services.js';
import { startTraefik, type TraefikProcess } from '../../src/services/traefik.js';
import { startBerth, type TestBerth } from './berth.js';
import { startDockerDaemon, type DockerDaemon } from './docker-daemon.js';
import { startDockerSocketProxy, type DockerSocketProxy } from './docker-socket-proxy.js';
import { freePort } from './free-port.js';
import { removeImages } from './images.js';

export interface OwnEngine {
  daemon: DockerDaemon;
  /** Set when asked for: Berth talks to the daemon through it. */
  proxy: DockerSocketProxy | null;
  traefik: TraefikProcess;
  routesDir: string;
  berth: TestBerth;
  close(): Promise<void>;
}

/** `name` keeps the daemon's bridges and containerd namespace apart from other tests'. */
/**
 * swarm: 'berth' leaves initialising the Swarm to Berth (its gateway bridge made first, so it is
 * the daemon's own); `env` adds to Berth's environment.
 */
export async function startOnOwnEngine(options: { name: string; images: string[]; swarm?: boolean | 'berth'; proxy?: boolean; env?: Record<string, string> }): Promise<OwnEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-own-engine-'));
  const parts: Partial<OwnEngine> = {};
  const close = async () => {
    await parts.berth?.close();
    await parts.traefik?.stop();
    await parts.proxy?.close();
    await parts.daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
    removeImages(...options.images);
  };
  try {
    const daemon = (parts.daemon = await startDockerDaemon(join(dir, 'dockerd'), options.name));
    daemon.load(...options.images);
    if (options.swarm === 'berth') await daemon.createGatewayBridge();
    else if (options.swarm) await daemon.enableSwarm();
    const proxy = (parts.proxy = options.proxy ? await startDockerSocketProxy(daemon.socket, join(dir, 'berth-docker.sock')) : null);
    const tools = toolPaths(inject('services').toolsDir);
    const routesDir = (parts.routesDir = join(dir, 'routes'));
    const entryPort = await freePort();
    const traefik = (parts.traefik = await startTraefik(tools.traefik, {
      dir: join(dir, 'traefik'),
      routesDir,
      entryPort,
      apiPort: await freePort(),
      defaultCertificate: { certFile: tools.certFile, keyFile: tools.keyFile },
    }));
    parts.berth = await startBerth({
      env: {
        DOCKER_SOCKET: proxy?.socket ?? daemon.socket,
        BERTH_TRAEFIK_PORT: String(entryPort),
        BERTH_TRAEFIK_API_URL: traefik.apiUrl,
        BERTH_TRAEFIK_ENTRY_URL: traefik.entryUrl,
        BERTH_TRAEFIK_ROUTES_DIR: routesDir,
        ...options.env,
      },
    });
    return { ...(parts as Omit<OwnEngine, 'close' | 'proxy'>), proxy, close };
  } catch (err) {
    await close();
    throw err;
  }
}
