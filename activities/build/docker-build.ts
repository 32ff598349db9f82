// One `docker build` through the Docker engine with BuildKit (Debian's Docker CLI with
// DOCKER_BUILDKIT=1; BuildKit's secret mounts need its session, which dockerode does not speak),
// shared by apps of kind git (one image per commit) and git-backed stacks (one per built
// service). Build secrets travel as environment variables of the CLI process only
// (`--secret id=NAME,env=…`): never a file, an argument, a layer or a log line. The layer
// cache is the engine's, shared by every build, so a commit that changes one file rebuilds
// from that file's step on. Output streams into the deployment's log.
import { permanentFailure } from '../../src/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { CommandAborted, runCommand } from './run-command.js';
import { NO_DISK_GUARD, type DiskGuard } from '../docker/disk-guard.js';
import { NO_BUILD_LIMITS, type BuildLimits } from './build-limits.js';

export const BUILD_TIMEOUT_MS = 60 * 60_000;

export interface DockerBuildDeps {
  deploymentLog: DeploymentLog;
  dockerCli: string;
  dockerSocket: string;
  /** What builds may use of the host (build-limits.ts). */
  limits?: BuildLimits;
  /** A build does not start on a Docker root short of free space. */
  disk?: DiskGuard;
}

export interface DockerBuildSpec {
  deploymentId: string;
  /** The deployment's workspace (the checkout): the CLI's working and home directory. */
  dir: string;
  /** Absolute paths inside the checkout, already checked. */
  context: string;
  dockerfile: string;
  image: string;
  buildArgs: Record<string, string>;
  target?: string | null;
  labels: Record<string, string>;
  secrets: { name: string; value: string }[];
}

export interface Built {
  image: string;
  ms: number;
  /** Build steps BuildKit took from its cache, of all the steps it ran. */
  cachedSteps: number;
  steps: number;
}

/**
 * BuildKit's plain progress: "#7 [3/5] RUN …" opens a step, "#7 CACHED" says it came from the
 * cache. FROM is not a step Berth builds (a base image is always "cached").
 */
export function countSteps(lines: string[]): { steps: number; cached: number } {
  const steps = new Set<string>();
  const cached = new Set<string>();
  for (const line of lines) {
    const step = /^#(\d+) \[(?:[^\]]*\s)?\d+\/\d+\] (?!FROM )/.exec(line);
    if (step) steps.add(step[1] as string);
    const hit = /^#(\d+) CACHED$/.exec(line);
    if (hit) cached.add(hit[1] as string);
  }
  return { steps: steps.size, cached: [...cached].filter((s) => steps.has(s)).length };
}

export function createDockerBuild({ deploymentLog, dockerCli, dockerSocket, limits = NO_BUILD_LIMITS, disk = NO_DISK_GUARD }: DockerBuildDeps) {
  return async function dockerBuild(spec: DockerBuildSpec): Promise<Built> {
    const { deploymentId, image } = spec;
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: spec.dir, DOCKER_BUILDKIT: '1', DOCKER_HOST: `unix://${dockerSocket}` };
    const args = ['build', '--progress=plain', '-f', spec.dockerfile, '-t', image];
    if (spec.target) args.push('--target', spec.target);
    for (const [k, v] of Object.entries(spec.labels)) args.push('--label', `${k}=${v}`);
    for (const [k, v] of Object.entries(spec.buildArgs)) args.push('--build-arg', `${k}=${v}`);
    const hidden: string[] = [];
    spec.secrets.forEach((s, i) => {
      env[`BERTH_BUILD_SECRET_${i}`] = s.value;
      if (s.value.length >= 4) hidden.push(s.value);
      args.push('--secret', `id=${s.name},env=BERTH_BUILD_SECRET_${i}`);
    });
    args.push(spec.context);

    // A RUN step that prints a secret must not put it in the deployment's log.
    const redact = (line: string) => hidden.reduce((l, v) => l.split(v).join('[redacted]'), line);
    const lines: string[] = [];
    let logging = Promise.resolve();
    await disk.ensureRoom(`the build of ${image}`);
    const limited = await limits.apply();
    await deploymentLog.write(deploymentId, limited.warn ? 'warn' : 'info', 'build', limited.note);
    const memoryBefore = await limits.memoryHits();
    const started = performance.now();
    await deploymentLog.write(deploymentId, 'info', 'build', `building ${image}`);
    const result = await withHeartbeat((signal) =>
      runCommand(dockerCli, args, {
        cwd: spec.dir,
        env,
        signal,
        timeoutMs: BUILD_TIMEOUT_MS,
        onLine: (raw) => {
          const line = redact(raw);
          lines.push(line);
          logging = logging.then(() => deploymentLog.write(deploymentId, 'info', 'build', line));
        },
      }),
    ).catch((err: unknown) => {
      if (err instanceof CommandAborted && err.reason === 'timeout') throw permanentFailure('BuildFailed', `the build took over ${BUILD_TIMEOUT_MS / 60_000} min`);
      // The workspace stays for a retry; the workflow discards it when the deployment ends.
      throw err;
    });
    await logging;
    if (result.code !== 0) {
      // A step killed (137) while builds were at their memory limit: that is why.
      const memoryAfter = await limits.memoryHits();
      const killed = result.tail.some((l) => /exit code: 137\b/.test(l));
      if (killed && memoryBefore !== null && memoryAfter !== null && memoryAfter > memoryBefore) {
        throw permanentFailure('BuildFailed', `docker build of ${image} was stopped for memory: ${limits.describe()}`);
      }
      const why = result.tail.map(redact).filter((l) => l.trim()).slice(-5).join(' | ');
      throw permanentFailure('BuildFailed', `docker build of ${image} exited with ${result.code}: ${why.slice(0, 1000)}`);
    }
    const ms = Math.round(performance.now() - started);
    const counted = countSteps(lines);
    await deploymentLog.write(deploymentId, 'info', 'build', `built ${image} in ${ms} ms (${counted.cached} of ${counted.steps} steps cached)`);
    return { image, ms, cachedSteps: counted.cached, steps: counted.steps };
  };
}
