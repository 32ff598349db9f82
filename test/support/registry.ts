// Debian's docker-registry on a free loopback port: a real registry for push and pull tests.
// Docker treats 127.0.0.0/8 registries as insecure by default, so plain HTTP works.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess, waitUntilReady, type Supervised } from '../../src/services/child-process.js';
import { freePort } from './free-port.js';

export interface Registry {
  host: string;
  /**
   * Serves the same storage on the same loopback address inside a network namespace (a second
   * host's): another instance of the registry, as registries behind one shared storage run, so
   * that host's daemon pulls from 127.0.0.1:<port> — insecure by default, like this machine's —
   * exactly what was pushed here. `runner` runs the registry there (SecondDockerHost.inNamespace).
   */
  serveIn(netns: string, runner: string): Promise<void>;
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
  const procs: Supervised[] = [startProcess('docker-registry', '/usr/bin/docker-registry', ['serve', config], join(dir, 'registry.log'))];
  await waitUntilReady(procs[0] as Supervised, async () => (await fetch(`http://127.0.0.1:${port}/v2/`)).ok, 20_000);
  return {
    host: `127.0.0.1:${port}`,
    async serveIn(netns, runner) {
      const proc = startProcess(`docker-registry-${netns}`, runner, ['serve', config], join(dir, `registry-${netns}.log`));
      procs.push(proc);
      const probe = () => execFileSync('/usr/bin/nsenter', [`--net=/var/run/netns/${netns}`, '/usr/bin/curl', '-sf', '-o', '/dev/null', `http://127.0.0.1:${port}/v2/`], { stdio: 'pipe' });
      await waitUntilReady(
        proc,
        async () => {
          probe();
          return true;
        },
        20_000,
      );
    },
    async stop() {
      for (const proc of procs.reverse()) await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
