// What builds may use of the host. Builds run in the Docker engine's BuildKit, whose RUN steps
// Docker 20.10 places in one cgroup (the daemon's cgroup parent + /buildkit, /docker/buildkit
// by default) and for which `docker build --memory` and `--cpu-*` do nothing. So the limits go
// on that cgroup: what the engine's builds may use together, memory and CPU, so that a build
// that takes all it can is stopped (the kernel's OOM killer, within the cgroup) before the
// host's apps feel it. cgroup v1 and v2 with the cgroupfs driver; elsewhere, or without the
// rights, builds run unlimited and the deployment's log says so.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatSize } from '../../src/docker-root-space.js';

const CGROUP_ROOT = '/sys/fs/cgroup';
const CPU_PERIOD_US = 100_000;

export interface BuildLimitSettings {
  /** 0: no memory limit. */
  memoryBytes: number;
  /** 0: no CPU limit. */
  cpus: number;
  /** The engine's BuildKit cgroup, e.g. /docker/buildkit. */
  cgroup: string;
}

export interface BuildLimits {
  /** Puts the limits on the cgroup; returns what to tell the deployment's log (warn: they could not be put). */
  apply(): Promise<{ warn: boolean; note: string }>;
  /**
   * How often builds have hit the memory limit so far (null: not known): cgroup v1's failcnt of
   * the cgroup (a step's OOM kill is counted in the step's own cgroup, gone with it), v2's
   * oom_kill events, which count below.
   */
  memoryHits(): Promise<number | null>;
  describe(): string;
}

export function createBuildLimits(settings: BuildLimitSettings, root = CGROUP_ROOT): BuildLimits {
  const unified = readFile(join(root, 'cgroup.controllers'), 'utf8').then(
    () => true,
    () => false,
  );
  const dirs = async () =>
    (await unified)
      ? { memory: join(root, settings.cgroup), cpu: join(root, settings.cgroup) }
      : { memory: join(root, 'memory', settings.cgroup), cpu: join(root, 'cpu', settings.cgroup) };
  const describe = () =>
    `builds on this engine share ${settings.memoryBytes ? formatSize(settings.memoryBytes) : 'unlimited memory'} (BERTH_BUILD_MEMORY_MB) and ` +
    `${settings.cpus ? `${settings.cpus} CPU(s)` : 'every CPU'} (BERTH_BUILD_CPUS)`;

  return {
    describe,
    async apply() {
      // Nothing to limit: the engine's cgroup is left as it is.
      if (!settings.memoryBytes && !settings.cpus) return { warn: false, note: describe() };
      const v2 = await unified;
      const { memory, cpu } = await dirs();
      try {
        await mkdir(memory, { recursive: true });
        await mkdir(cpu, { recursive: true });
        const quota = settings.cpus ? Math.round(settings.cpus * CPU_PERIOD_US) : null;
        if (v2) {
          await writeFile(join(memory, 'memory.max'), settings.memoryBytes ? String(settings.memoryBytes) : 'max');
          await writeFile(join(cpu, 'cpu.max'), `${quota ?? 'max'} ${CPU_PERIOD_US}`);
        } else {
          await writeFile(join(memory, 'memory.limit_in_bytes'), settings.memoryBytes ? String(settings.memoryBytes) : '-1');
          await writeFile(join(cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
          await writeFile(join(cpu, 'cpu.cfs_quota_us'), String(quota ?? -1));
        }
        return { warn: false, note: `${describe()} (cgroup ${settings.cgroup})` };
      } catch (err) {
        return { warn: true, note: `build limits not applied (${(err as Error).message}): this build may use all the host has` };
      }
    },
    async memoryHits() {
      const v2 = await unified;
      const { memory } = await dirs();
      const text = await readFile(join(memory, v2 ? 'memory.events' : 'memory.failcnt'), 'utf8').catch(() => null);
      const count = text === null ? undefined : v2 ? /^oom_kill (\d+)$/m.exec(text)?.[1] : text.trim();
      return count === undefined ? null : Number(count);
    },
  };
}

/** No limits (a test of something else, an engine whose cgroups are not Berth's). */
export const NO_BUILD_LIMITS: BuildLimits = {
  describe: () => 'builds are not limited',
  apply: async () => ({ warn: false, note: 'builds are not limited' }),
  memoryHits: async () => null,
};
