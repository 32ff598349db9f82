// Debian's docker-registry on a free loopback port: a real registry for push and pull tests.
// Docker treats 127.0.0.0/8 registries as insecure by default, so plain HTTP works.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, waitUntilReady, type Supervised } from '../../src/services/child-process.js';
import { freePort } from './free-port.js';

export interface Registry {
  host: string;
  stop(): Promise<void>;
}

export async function startRegistry(): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    JSON.stringify({
      version: 0.1,
      log: { level: 'error' },
      storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
      http: { addr: `127.0.0.1:${port}` },
    }),
  );
  const proc: Supervised = startProcess('docker-registry', '/usr/bin/docker-registry', ['serve', config], join(dir, 'registry.log'));
  await waitUntilReady(proc, async () => (await fetch(`http://127.0.0.1:${port}/v2/`)).ok, 20_000);
  return {
    host: `127.0.0.1:${port}`,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
