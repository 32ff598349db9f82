// The build phase of a git-backed stack, after the fetch: compile the compose file of the
// checkout, then build every service that has `build:` through the same `docker build` path as
// apps of kind git, one after another (BuildKit already runs a build's steps in parallel), each
// tagged by app, service and commit. The tags carry the commit but the images do not (no commit
// label), so a service whose files did not change builds from cache to the same image, and its
// Swarm service is left alone by the rollout.
import type { Db } from '../../db/client.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { getGitSource } from '../../db/queries/git-sources.js';
import { buildPaths } from '../../src/compose/build-paths.js';
import { builtServiceImageTag, DEFAULT_COMPOSE_FILE } from '../../src/domain/git-build.js';
import { LABEL, MANAGED_BY } from '../../src/domain/labels.js';
import { permanentFailure } from '../../src/errors.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import type { VariableSite } from '../../db/queries/variables.js';
import { compileCheckoutCompose } from './checkout-compose.js';
import { createDockerBuild } from './docker-build.js';
import { insideCheckout, workspaceDir } from './workspace.js';
import type { BuildGuards } from './build-guards.js';

export interface StackBuildDeps {
  db: Db;
  box: SecretBox;
  site: VariableSite;
  deploymentLog: DeploymentLog;
  workspacesDir: string;
  dockerCli: string;
  dockerSocket: string;
  instance: string;
  allowedBindPaths: string[];
  allowed: string[];
  guards?: BuildGuards;
}

export interface StackBuildInput {
  deploymentId: string;
  appId: string;
  appName: string;
  environmentId: string;
  sha: string;
}

export interface StackImagesBuilt {
  /** The compose file's path in the repository, as this build read it. */
  composePath: string;
  /** Built services' image tags, by service. */
  images: Record<string, string>;
  /** Per built service: how long, and how much came from the cache. */
  builds: { service: string; ms: number; cachedSteps: number; steps: number }[];
}

export function createBuildStackImages({ db, box, site, deploymentLog, workspacesDir, dockerCli, dockerSocket, instance, allowedBindPaths, allowed, guards }: StackBuildDeps) {
  const dockerBuild = createDockerBuild({ deploymentLog, dockerCli, dockerSocket, ...guards });
  return async function buildStackImages(input: StackBuildInput): Promise<StackImagesBuilt> {
    const dir = workspaceDir(workspacesDir, input.deploymentId);
    const source = await getGitSource(db, input.appId);
    if (!source) throw permanentFailure('NotFound', `app ${input.appId} has no git source`);
    const composePath = source.composeFile ?? DEFAULT_COMPOSE_FILE;
    const { compiled } = await compileCheckoutCompose(db, box, { dir, composePath, environmentId: input.environmentId, deploymentId: input.deploymentId, site, allowedBindPaths, allowed });
    const toBuild = Object.values(compiled.stack.services).filter((s) => s.build);
    await deploymentLog.write(input.deploymentId, 'info', 'build', `${composePath}: ${toBuild.length ? `building ${toBuild.map((s) => s.name).join(', ')}` : 'no service to build'}`);

    const result: StackImagesBuilt = { composePath, images: {}, builds: [] };
    for (const service of toBuild) {
      const build = service.build as NonNullable<typeof service.build>;
      const paths = buildPaths(composePath, build);
      // The compiler refused these already; the checkout can still lead out through a symlink.
      if ('key' in paths) throw permanentFailure('ValidationFailed', `services.${service.name}.${paths.key}: ${paths.message}`);
      const context = await insideCheckout(dir, paths.context, `services.${service.name}.build.context`);
      const dockerfile = await insideCheckout(dir, paths.dockerfile, `services.${service.name}.build.dockerfile`);
      const built = await dockerBuild({
        deploymentId: input.deploymentId,
        dir,
        context,
        dockerfile,
        image: builtServiceImageTag(instance, input.appName, service.name, input.sha),
        buildArgs: build.args,
        target: build.target,
        labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.instance]: instance, [LABEL.app]: input.appId, [LABEL.service]: service.name },
        secrets: [],
      });
      result.images[service.name] = built.image;
      result.builds.push({ service: service.name, ms: built.ms, cachedSteps: built.cachedSteps, steps: built.steps });
    }
    return result;
  };
}
