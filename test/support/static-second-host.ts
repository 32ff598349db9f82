// A second host that serves static sites: a Docker daemon in a network namespace of its own
// (second-docker-host.ts), a data directory of its own (h2's disk) and a `berth worker --host h2`
// whose nginx runs in h2's namespace, as it would on h2's own machine; the test's Berth runs its
// own static server too.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startBerth, type TestBerth } from './berth.js';
import { freePort } from './free-port.js';
import { startSecondDockerHost, type SecondDockerHost } from './second-docker-host.js';
import { waitFor } from './wait.js';

export interface StaticSecondHost {
  berth: TestBerth;
  h2: SecondDockerHost;
  /** h2's data directory (its static sites under static/). */
  dataDir: string;
  staticPort: number;
  /** h2's worker while it runs. */
  worker: ChildProcess | null;
  /** Starts h2's worker (again) and waits until the API counts h2 alive. */
  startWorker(): Promise<ChildProcess>;
  close(): Promise<void>;
}

export async function startStaticSecondHost(): Promise<StaticSecondHost> {
  const h2 = await startSecondDockerHost();
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-h2-data-'));
  const staticPort = await freePort();
  const berth = await startBerth({ staticServer: true });
  expect((await berth.api('POST', '/api/v1/hosts', { id: 'h2', address: h2.address })).status).toBe(201);
  const host: StaticSecondHost = {
    berth,
    h2,
    dataDir,
    staticPort,
    worker: null,
    async startWorker() {
      host.worker = await berth.spawnWorker(
        {
          DOCKER_SOCKET: h2.socket,
          BERTH_HOST_ADDRESS: h2.address,
          BERTH_HOST_HEARTBEAT_SECONDS: '1',
          BERTH_DATA_DIR: dataDir,
          BERTH_STATIC_SERVE: 'true',
          BERTH_STATIC_PORT: String(staticPort),
          BERTH_NGINX_BINARY: h2.inNamespace(berth.config.static.nginxBinary),
        },
        ['--host', 'h2'],
      );
      await waitFor('h2 alive', async () => (await berth.api('GET', '/api/v1/hosts/h2')).body.alive === true, 30_000);
      return host.worker;
    },
    async close() {
      const worker = host.worker;
      if (worker && worker.exitCode === null && worker.signalCode === null) {
        const exited = new Promise((r) => worker.once('exit', r));
        worker.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (worker.exitCode === null) worker.kill('SIGKILL');
      }
      try {
        await berth.close();
      } finally {
        await h2.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
  return host;
}
