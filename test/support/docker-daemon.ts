// A Docker daemon of a test's own (Debian's dockerd with its own data root, exec root, socket,
// bridge and containerd), so fault-injection tests can restart "the Docker daemon" without
// touching the machine's. Images it needs are copied in from the machine's daemon. It can be a
// single-node Swarm of its own beside the machine's: everything a Swarm binds or names on the
// host is its own (a loopback address for its ports, a data-path port, a gateway bridge).
import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, waitUntilReady, type Supervised } from '../../src/services/child-process.js';
import Docker from 'dockerode';
import { pingDocker } from '../../src/probes.js';
import { claimOctet } from './octet-claims.js';
import { removeVxlanDevices } from './vxlan-devices.js';

export interface DockerDaemon {
  socket: string;
  /**
   * Stops and starts it again (containers with a restart policy come back); `whileDown` runs
   * once it has exited, before it starts again.
   */
  restart(whileDown?: () => void): Promise<void>;
  /** Copies images from the machine's daemon. */
  load(...images: string[]): void;
  /** Makes it a single-node Swarm manager of its own. */
  enableSwarm(): Promise<void>;
  /** Only the gateway bridge a Swarm of its own needs (enableSwarm makes it too): for a Swarm Berth initialises. */
  createGatewayBridge(): Promise<void>;
  /**
   * How its containers are reached, for a failure's report: the machine's 10.N addresses and
   * routes (its own and any other on the same N), its containers with their addresses and ports,
   * and its log's last lines.
   */
  network(): string;
  stop(): Promise<void>;
}

function processes(): { pid: number; ppid: number; cmdline: string }[] {
  const found: { pid: number; ppid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      found.push({ pid: Number(name), ppid, cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * containerd shims (and their containers' processes) that outlived their daemon: a restart in the
 * middle of a container's start can leave a task the daemon no longer knows, whose shim nothing
 * stops. They run in sessions of their own, so stopping dockerd does not reach them.
 */
/** A daemon that died mid-way leaves overlay and network-namespace mounts under its roots: deepest first, lazily. */
export function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(dir))
    .sort()
    .reverse();
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // gone with its parent
    }
  }
}

export function killStrayShims(execRoot: string): void {
  const all = processes();
  for (const shim of all.filter((p) => p.cmdline.includes('containerd-shim') && p.cmdline.includes(execRoot))) {
    for (const p of [...all.filter((c) => c.ppid === shim.pid), shim]) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** cgroupParent: where its containers' (and its BuildKit's) cgroups go, removed when it stops. */
export async function startDockerDaemon(dir: string, name: string, options: { cgroupParent?: string } = {}): Promise<DockerDaemon> {
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const bridge = `br${name}`.slice(0, 15);
  const gateway = `gw${name}`.slice(0, 15);
  // 10.N/16 of its own: no other daemon of a test's own (in this run or one beside it) has N.
  const claim = claimOctet(name);
  const { octet } = claim;
  // Its Swarm's VXLAN port (enableSwarm): a device an earlier daemon on this N left would reject every task.
  const dataPathPort = 4800 + octet;
  removeVxlanDevices(dataPathPort);
  try {
    execSync(`ip link del ${bridge} 2>/dev/null || true; ip link add ${bridge} type bridge && ip addr add 10.${octet}.77.1/24 dev ${bridge} && ip link set ${bridge} up`);
  } catch (err) {
    claim.release();
    throw err;
  }
  const args = [
    `--data-root=${join(dir, 'data')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'docker.pid')}`,
    `-H=unix://${socket}`,
    `--bridge=${bridge}`,
    '--iptables=false',
    '--ip-masq=false',
    `--containerd-namespace=${name}`,
    `--containerd-plugins-namespace=${name}-plugins`,
    ...(options.cgroupParent ? [`--cgroup-parent=${options.cgroupParent}`] : []),
  ];
  let proc: Supervised;
  const start = async () => {
    proc = startProcess('dockerd', '/usr/sbin/dockerd', args, join(dir, 'dockerd.log'));
    await waitUntilReady(proc, async () => (await pingDocker(socket).then(() => true)), 60_000);
  };
  await start();
  /**
   * The ports its Swarm's VXLAN devices use: enableSwarm's, and the one its Swarm has (Berth may
   * choose another), never the machine's Swarm's (Docker's default), whose devices are not its own.
   */
  const vxlanPorts = async () => {
    const info = (await new Docker({ socketPath: socket }).info().catch(() => null)) as { Swarm?: { Cluster?: { DataPathPort?: number } } } | null;
    return [...new Set([dataPathPort, info?.Swarm?.Cluster?.DataPathPort ?? dataPathPort])].filter((port) => port !== 4789);
  };
  const createGatewayBridge = async () => {
    // Swarm's tasks reach the host through docker_gwbridge: made first, so its Linux bridge is
    // not the machine daemon's docker_gwbridge.
    await new Docker({ socketPath: socket }).createNetwork({
      Name: 'docker_gwbridge',
      Driver: 'bridge',
      IPAM: { Config: [{ Subnet: `10.${octet}.78.0/24`, Gateway: `10.${octet}.78.1` }] },
      Options: {
        'com.docker.network.bridge.name': gateway,
        'com.docker.network.bridge.enable_icc': 'false',
        'com.docker.network.bridge.enable_ip_masquerade': 'false',
      },
    });
  };
  return {
    socket,
    async restart(whileDown) {
      const ports = await vxlanPorts();
      await proc.stop(20_000);
      // A clean restart: Docker, stopped while Swarm restarts a task, can leave that task's VXLAN
      // device here, and then its Swarm starts no task once back (a case tested on its own, with
      // a device `whileDown` leaves).
      for (const port of ports) removeVxlanDevices(port);
      whileDown?.();
      await start();
    },
    load(...images) {
      execSync(`/usr/bin/docker save ${images.join(' ')} | /usr/bin/docker -H unix://${socket} load -q`, { stdio: 'pipe' });
    },
    createGatewayBridge,
    network() {
      const run = (cmd: string) => {
        try {
          return execSync(cmd, { stdio: 'pipe' }).toString().trim();
        } catch (err) {
          return `(${cmd}: ${(err as Error).message.split('\n')[0]})`;
        }
      };
      return [
        `10.${octet}: its bridge ${bridge}, its gateway bridge ${gateway}; the machine's 10.* addresses and routes:`,
        run(`ip -4 -o addr | awk '$4 ~ /^10\\./ {print $2, $4}'; ip -4 route | grep '^10\\.' || true`),
        'its containers:',
        run(`/usr/bin/docker -H unix://${socket} ps -aq | xargs -r /usr/bin/docker -H unix://${socket} inspect -f '{{.Name}} {{.State.Status}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}{{json .NetworkSettings.Ports}}'`),
        'its log:',
        run(`tail -n 15 ${join(dir, 'dockerd.log')}`),
      ].join('\n');
    },
    async enableSwarm() {
      const docker = new Docker({ socketPath: socket });
      await createGatewayBridge();
      // Its own loopback address (the whole of 127/8 is loopback): the machine's Swarm has
      // 127.0.0.1:2377 and :7946. Its own VXLAN port and address pool too.
      const address = `127.0.${octet}.1`;
      await docker.swarmInit({
        ListenAddr: `${address}:2377`,
        AdvertiseAddr: address,
        DataPathAddr: address,
        DataPathPort: dataPathPort,
        DefaultAddrPool: [`10.${octet}.128.0/17`],
        SubnetSize: 24,
      });
    },
    async stop() {
      const ports = await vxlanPorts();
      try {
        const ids = execFileSync('/usr/bin/docker', ['-H', `unix://${socket}`, 'ps', '-aq']).toString().trim().split('\n').filter(Boolean);
        if (ids.length) execFileSync('/usr/bin/docker', ['-H', `unix://${socket}`, 'rm', '-f', ...ids], { stdio: 'pipe' });
      } catch {
        // the daemon may be down already
      }
      await proc.stop(20_000);
      killStrayShims(join(dir, 'exec'));
      unmountUnder(dir);
      for (const port of ports) removeVxlanDevices(port);
      execSync(`ip link del ${bridge} 2>/dev/null || true; ip link del ${gateway} 2>/dev/null || true`);
      // Its cgroups (every controller's), deepest first: a cgroup goes once its children have.
      const parent = options.cgroupParent;
      if (parent) execSync(`find /sys/fs/cgroup -depth -type d \\( -path '*${parent}' -o -path '*${parent}/*' \\) -exec rmdir {} + 2>/dev/null || true`);
      rmSync(dir, { recursive: true, force: true });
      claim.release();
    },
  };
}
