// The second half of the build phase: `docker build` of the fetched commit through the Docker
// engine with BuildKit (Debian's Docker CLI with DOCKER_BUILDKIT=1; BuildKit's secret mounts
// need its session, which dockerode does not speak). Build secrets travel as environment
// variables of the CLI process only (`--secret id=NAME,env=…`): never a file, an argument, a
// layer or a log line. The layer cache is the engine's, shared by every build, so a commit
// that changes one file rebuilds from that file's step on.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { getGitSource } from '../../db/queries/git-sources.js';
import { buildSecrets } from '../../db/schema/index.js';
import { buildSecretContext, builtImageTag } from '../../src/domain/git-build.js';
import { LABEL, MANAGED_BY } from '../../src/domain/labels.js';
import { permanentFailure } from '../../src/errors.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { withHeartbeat } from '../heartbeat.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { CommandAborted, runCommand } from './run-command.js';
import { insideCheckout, removeWorkspace, workspaceDir } from './workspace.js';

export const BUILD_TIMEOUT_MS = 60 * 60_000;
export const COMMIT_LABEL = 'berth.commit';

export interface BuildDeps {
  db: Db;
  box: SecretBox;
  deploymentLog: DeploymentLog;
  workspacesDir: string;
  dockerCli: string;
  dockerSocket: string;
  instance: string;
}

export interface BuildInput {
  deploymentId: string;
  appId: string;
  appName: string;
  sha: string;
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

export function createBuildImage({ db, box, deploymentLog, workspacesDir, dockerCli, dockerSocket, instance }: BuildDeps) {
  return async function buildImage(input: BuildInput): Promise<Built> {
    const dir = workspaceDir(workspacesDir, input.deploymentId);
    const source = await getGitSource(db, input.appId);
    if (!source) throw permanentFailure('NotFound', `app ${input.appId} has no git source`);
    const context = await insideCheckout(dir, source.context, 'build context');
    const dockerfile = await insideCheckout(dir, source.dockerfile, 'Dockerfile');
    const secrets = await db.select().from(buildSecrets).where(eq(buildSecrets.appId, input.appId));
    const image = builtImageTag(instance, input.appName, input.sha);

    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, DOCKER_BUILDKIT: '1', DOCKER_HOST: `unix://${dockerSocket}` };
    const args = ['build', '--progress=plain', '-f', dockerfile, '-t', image];
    for (const [k, v] of Object.entries({ [LABEL.managedBy]: MANAGED_BY, [LABEL.instance]: instance, [LABEL.app]: input.appId, [COMMIT_LABEL]: input.sha })) {
      args.push('--label', `${k}=${v}`);
    }
    for (const [k, v] of Object.entries(source.buildArgs)) args.push('--build-arg', `${k}=${v}`);
    const hidden: string[] = [];
    secrets.forEach((s, i) => {
      const value = box.open(s.valueSealed, buildSecretContext(input.appId, s.name));
      env[`BERTH_BUILD_SECRET_${i}`] = value;
      if (value.length >= 4) hidden.push(value);
      args.push('--secret', `id=${s.name},env=BERTH_BUILD_SECRET_${i}`);
    });
    args.push(context);

    // A RUN step that prints a secret must not put it in the deployment's log.
    const redact = (line: string) => hidden.reduce((l, v) => l.split(v).join('[redacted]'), line);
    const lines: string[] = [];
    let logging = Promise.resolve();
    const started = performance.now();
    await deploymentLog.write(input.deploymentId, 'info', 'build', `building ${image}`);
    const result = await withHeartbeat((signal) =>
      runCommand(dockerCli, args, {
        cwd: dir,
        env,
        signal,
        timeoutMs: BUILD_TIMEOUT_MS,
        onLine: (raw) => {
          const line = redact(raw);
          lines.push(line);
          logging = logging.then(() => deploymentLog.write(input.deploymentId, 'info', 'build', line));
        },
      }),
    ).catch((err: unknown) => {
      if (err instanceof CommandAborted && err.reason === 'timeout') throw permanentFailure('BuildFailed', `the build took over ${BUILD_TIMEOUT_MS / 60_000} min`);
      // The workspace stays for a retry; the workflow discards it when the deployment ends.
      throw err;
    });
    await logging;
    if (result.code !== 0) {
      const why = result.tail.map(redact).filter((l) => l.trim()).slice(-5).join(' | ');
      throw permanentFailure('BuildFailed', `docker build exited with ${result.code}: ${why.slice(0, 1000)}`);
    }
    const ms = Math.round(performance.now() - started);
    const counted = countSteps(lines);
    await deploymentLog.write(input.deploymentId, 'info', 'build', `built ${image} in ${ms} ms (${counted.cached} of ${counted.steps} steps cached)`);
    await removeWorkspace(dir);
    return { image, ms, cachedSteps: counted.cached, steps: counted.steps };
  };
}
