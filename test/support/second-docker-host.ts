// A second Docker host on this machine: a network namespace of its own with a private address
// (a veth pair on a /30 under 10.213/16, the root side .1, the host .2), a dockerd started inside
// it (its own data root, exec root, pid file, containerd and unix socket; its iptables are the
// namespace's), and the test's images copied in from the machine's daemon. Containers it
// publishes on its address are reached from the root namespace (Traefik, health probes) as
// another machine's would be. stop() removes everything it made, also after a failed start.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pingDocker } from '../../src/probes.js';
import { startProcess, waitUntilReady, type Supervised } from '../../src/services/child-process.js';
import { killStrayShims, unmountUnder } from './docker-daemon.js';

export interface SecondDockerHost {
  /** The namespace's address: BERTH_HOST_ADDRESS of its worker, the address it is registered at. */
  address: string;
  /** The root namespace's end of its link: the machine's own private address as the host sees it. */
  rootAddress: string;
  /** Its daemon's socket (DOCKER_SOCKET of its worker). */
  socket: string;
  netns: string;
  /** Copies images from the machine's daemon. */
  load(...images: string[]): void;
  /**
   * A wrapper script that runs `binary` inside the namespace (exec, so its pid is the program's):
   * what a worker of this host starts there listens on the host's address as on its own machine.
   */
  inNamespace(binary: string): string;
  /** `docker` against its daemon; stdout. */
  docker(...args: string[]): string;
  /** The environment's containers on this daemon, one line each: its deployment, its state, then `extra` (a Go template). */
  environmentContainers(environmentId: string, extra?: string): string[];
  /** Stops its dockerd (its containers stop with it), runs `whileDown`, starts it again on the same data. */
  restart(whileDown?: () => Promise<void> | void): Promise<void>;
  stop(): Promise<void>;
}

const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' }).toString();
const quiet = (cmd: string, ...args: string[]) => {
  try {
    run(cmd, ...args);
  } catch {
    // already gone
  }
};

/** A /30 under 10.213/16 no interface of the machine is on yet. */
function freeSubnet(): number {
  const used = run('ip', '-4', '-o', 'addr');
  for (let i = 0; i < 50; i++) {
    const n = randomBytes(2).readUInt16BE() % 16_384;
    if (!used.includes(`10.213.${n >> 6}.${(n & 63) * 4 + 1}/`)) return n;
  }
  throw new Error('no free /30 under 10.213.0.0/16');
}

export async function startSecondDockerHost(): Promise<SecondDockerHost> {
  const tag = randomBytes(3).toString('hex');
  const netns = `berth-h-${tag}`;
  const veth = `bh${tag}`;
  const n = freeSubnet();
  const net = `10.213.${n >> 6}`;
  const base = (n & 63) * 4;
  const rootAddress = `${net}.${base + 1}`;
  const address = `${net}.${base + 2}`;
  const dir = mkdtempSync(join(tmpdir(), 'berth-h2-'));
  const socket = join(dir, 'docker.sock');
  let proc: Supervised | null = null;
  let launch = async () => undefined as void;

  const stop = async () => {
    try {
      const ids = run('/usr/bin/docker', '-H', `unix://${socket}`, 'ps', '-aq').trim().split('\n').filter(Boolean);
      if (ids.length) run('/usr/bin/docker', '-H', `unix://${socket}`, 'rm', '-f', ...ids);
    } catch {
      // the daemon may be down already
    }
    // Each step is tried whatever the one before did, so the namespace and veth always go.
    await proc?.stop(20_000).catch(() => undefined);
    try {
      killStrayShims(join(dir, 'exec'));
    } catch {
      // none left, or their processes already gone
    }
    unmountUnder(dir);
    quiet('ip', 'netns', 'del', netns);
    quiet('ip', 'link', 'del', veth);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    run('ip', 'netns', 'add', netns);
    run('ip', 'link', 'add', veth, 'type', 'veth', 'peer', 'name', `${veth}p`);
    run('ip', 'link', 'set', `${veth}p`, 'netns', netns);
    run('ip', 'addr', 'add', `${rootAddress}/30`, 'dev', veth);
    run('ip', 'link', 'set', veth, 'up');
    run('ip', 'netns', 'exec', netns, 'ip', 'addr', 'add', `${address}/30`, 'dev', `${veth}p`);
    run('ip', 'netns', 'exec', netns, 'ip', 'link', 'set', `${veth}p`, 'up');
    run('ip', 'netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up');
    run('ip', 'netns', 'exec', netns, 'ip', 'route', 'add', 'default', 'via', rootAddress);
    // nsenter --net, not `ip netns exec`: that one remounts /sys and so hides the cgroup
    // hierarchies dockerd needs ("Devices cgroup isn't mounted").
    const args = [
      `--net=/var/run/netns/${netns}`,
      '/usr/sbin/dockerd',
      `--data-root=${join(dir, 'data')}`,
      `--exec-root=${join(dir, 'exec')}`,
      `--pidfile=${join(dir, 'docker.pid')}`,
      `-H=unix://${socket}`,
      `--containerd-namespace=${netns}`,
      `--containerd-plugins-namespace=${netns}-plugins`,
    ];
    launch = async () => {
      proc = startProcess('dockerd-h2', '/usr/bin/nsenter', args, join(dir, 'dockerd.log'));
      await waitUntilReady(proc, async () => pingDocker(socket).then(() => true), 60_000);
    };
    await launch();
  } catch (err) {
    const log = (() => {
      try {
        return readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-2000);
      } catch {
        return '';
      }
    })();
    await stop();
    throw new Error(`second Docker host did not start: ${(err as Error).message}\n${log}`);
  }
  return {
    address,
    rootAddress,
    socket,
    netns,
    load(...images) {
      execFileSync('/bin/sh', ['-c', `/usr/bin/docker save "$@" | /usr/bin/docker -H unix://${socket} load -q`, 'save', ...images], { stdio: 'pipe' });
    },
    inNamespace(binary) {
      const script = join(dir, `in-netns-${basename(binary)}`);
      writeFileSync(script, `#!/bin/sh\nexec /usr/bin/nsenter --net=/var/run/netns/${netns} ${binary} "$@"\n`, { mode: 0o755 });
      return script;
    },
    docker: (...a) => run('/usr/bin/docker', '-H', `unix://${socket}`, ...a),
    environmentContainers: (environmentId, extra = '') =>
      run('/usr/bin/docker', '-H', `unix://${socket}`, 'ps', '-a', '--filter', `label=berth.environment=${environmentId}`, '--format', `{{.Label "berth.deployment"}} {{.State}}${extra ? ` ${extra}` : ''}`)
        .trim()
        .split('\n')
        .filter(Boolean),
    async restart(whileDown) {
      await proc?.stop(20_000);
      await whileDown?.();
      await launch();
    },
    stop,
  };
}
