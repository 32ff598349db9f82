// The second half of an app of kind git's build phase: `docker build` of the fetched commit with
// the app's Dockerfile, context, build arguments and build secrets, tagged by app and commit.
import { readFile, rm, writeFile } from 'node:fs/promises';
import type Docker from 'dockerode';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deploymentIsUntrusted } from '../../db/queries/environments.js';
import { getGitSource } from '../../db/queries/git-sources.js';
import { buildSecrets } from '../../db/schema/index.js';
import { buildSecretContext, builtImageTag } from '../../src/domain/git-build.js';
import { LABEL, MANAGED_BY } from '../../src/domain/labels.js';
import { isolateDockerfile, UNTRUSTED_BUILD_ARG } from '../../src/domain/untrusted-dockerfile.js';
import { permanentFailure } from '../../src/errors.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { createDockerBuild, type Built } from './docker-build.js';
import { insideCheckout, removeWorkspace, workspaceDir } from './workspace.js';
import type { BuildGuards } from './build-guards.js';

export { countSteps, type Built } from './docker-build.js';
export const COMMIT_LABEL = 'berth.commit';
/** Beside the checkout's directory (<workspace>.untrusted.Dockerfile), outside what the fork controls. */
const ISOLATED_DOCKERFILE_SUFFIX = '.untrusted.Dockerfile';

export interface BuildDeps {
  db: Db;
  /** Asked what an untrusted build's base images are. */
  docker: Docker;
  box: SecretBox;
  deploymentLog: DeploymentLog;
  workspacesDir: string;
  dockerCli: string;
  dockerSocket: string;
  instance: string;
  guards?: BuildGuards;
}

export interface BuildInput {
  deploymentId: string;
  appId: string;
  appName: string;
  sha: string;
}

export function createBuildImage({ db, docker, box, deploymentLog, workspacesDir, dockerCli, dockerSocket, instance, guards }: BuildDeps) {
  const dockerBuild = createDockerBuild({ deploymentLog, dockerCli, dockerSocket, ...guards });
  return async function buildImage(input: BuildInput): Promise<Built> {
    const dir = workspaceDir(workspacesDir, input.deploymentId);
    const source = await getGitSource(db, input.appId);
    if (!source) throw permanentFailure('NotFound', `app ${input.appId} has no git source`);
    const context = await insideCheckout(dir, source.context, 'build context');
    const checkedDockerfile = await insideCheckout(dir, source.dockerfile, 'Dockerfile');
    // A fork's code never sees the app's build secrets (its Dockerfile could print them), and
    // shares no cache and no image with trusted builds (src/domain/untrusted-dockerfile.ts).
    const untrusted = await deploymentIsUntrusted(db, input.deploymentId);
    const dockerfile = untrusted ? await isolatedDockerfile(dir, checkedDockerfile, input.deploymentId, source.buildArgs) : checkedDockerfile;
    const secrets = untrusted ? [] : await db.select().from(buildSecrets).where(eq(buildSecrets.appId, input.appId));
    if (untrusted) await deploymentLog.write(input.deploymentId, 'info', 'build', 'untrusted source (a fork): built without build secrets, cache or images shared with trusted builds');
    const built = await dockerBuild({
      deploymentId: input.deploymentId,
      dir,
      context,
      dockerfile,
      image: builtImageTag(instance, input.appName, input.sha),
      buildArgs: untrusted ? { ...source.buildArgs, [UNTRUSTED_BUILD_ARG]: input.deploymentId } : source.buildArgs,
      labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.instance]: instance, [LABEL.app]: input.appId, [COMMIT_LABEL]: input.sha },
      secrets: secrets.map((s) => ({ name: s.name, value: box.open(s.valueSealed, buildSecretContext(input.appId, s.name)) })),
    });
    await removeWorkspace(dir);
    if (untrusted) await rm(dockerfile, { force: true });
    return built;
  };

  /**
   * The fork's Dockerfile, rewritten beside the checkout (never inside it: a file the fork
   * committed, a symlink say, is never written through), after checking what it builds from.
   */
  async function isolatedDockerfile(dir: string, original: string, deploymentId: string, buildArgs: Record<string, string>): Promise<string> {
    const isolated = isolateDockerfile(await readFile(original, 'utf8'), deploymentId, buildArgs);
    if (isolated.problems.length) throw permanentFailure('BuildFailed', `untrusted build refused: ${isolated.problems.join('; ')}`);
    for (const image of isolated.references) {
      const labels = await docker
        .getImage(image)
        .inspect()
        .then((i) => i.Config?.Labels ?? {}, () => ({}) as Record<string, string>);
      if (labels[LABEL.app]) throw permanentFailure('BuildFailed', `untrusted build refused: it reads ${image}, an image Berth built for an app`);
    }
    const path = `${dir}${ISOLATED_DOCKERFILE_SUFFIX}`;
    await rm(path, { force: true });
    await writeFile(path, isolated.text, { flag: 'wx', mode: 0o600 });
    return path;
  }
}
