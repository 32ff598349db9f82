// The second half of an app of kind git's build phase: `docker build` of the fetched commit with
// the app's Dockerfile, context, build arguments and build secrets, tagged by app and commit.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { getGitSource } from '../../db/queries/git-sources.js';
import { buildSecrets } from '../../db/schema/index.js';
import { buildSecretContext, builtImageTag } from '../../src/domain/git-build.js';
import { LABEL, MANAGED_BY } from '../../src/domain/labels.js';
import { permanentFailure } from '../../src/errors.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { createDockerBuild, type Built } from './docker-build.js';
import { insideCheckout, removeWorkspace, workspaceDir } from './workspace.js';
import type { BuildGuards } from './build-guards.js';

export { countSteps, type Built } from './docker-build.js';
export const COMMIT_LABEL = 'berth.commit';

export interface BuildDeps {
  db: Db;
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

export function createBuildImage({ db, box, deploymentLog, workspacesDir, dockerCli, dockerSocket, instance, guards }: BuildDeps) {
  const dockerBuild = createDockerBuild({ deploymentLog, dockerCli, dockerSocket, ...guards });
  return async function buildImage(input: BuildInput): Promise<Built> {
    const dir = workspaceDir(workspacesDir, input.deploymentId);
    const source = await getGitSource(db, input.appId);
    if (!source) throw permanentFailure('NotFound', `app ${input.appId} has no git source`);
    const context = await insideCheckout(dir, source.context, 'build context');
    const dockerfile = await insideCheckout(dir, source.dockerfile, 'Dockerfile');
    const secrets = await db.select().from(buildSecrets).where(eq(buildSecrets.appId, input.appId));
    const built = await dockerBuild({
      deploymentId: input.deploymentId,
      dir,
      context,
      dockerfile,
      image: builtImageTag(instance, input.appName, input.sha),
      buildArgs: source.buildArgs,
      labels: { [LABEL.managedBy]: MANAGED_BY, [LABEL.instance]: instance, [LABEL.app]: input.appId, [COMMIT_LABEL]: input.sha },
      secrets: secrets.map((s) => ({ name: s.name, value: box.open(s.valueSealed, buildSecretContext(input.appId, s.name)) })),
    });
    await removeWorkspace(dir);
    return built;
  };
}
