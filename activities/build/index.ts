// Builds from source on the host whose Docker engine builds them: fetch the commit, build it
// (an app of kind git's image, or the `build:` services of a git-backed stack).
import type Docker from 'dockerode';
import type { Db } from '../../db/client.js';
import type { VariableSite } from '../../db/queries/variables.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { GitHubClient } from '../github/github-client.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { createBuildImage } from './build-image.js';
import { createBuildStackImages } from './build-stack-images.js';
import { createFetchSource } from './fetch-source.js';
import { createPushImage } from './push-image.js';
import { createHostApis } from '../git-hosts/host-apis.js';
import { removeWorkspace, workspaceDir } from './workspace.js';
import type { BuildGuards } from './build-guards.js';

export interface BuildActivityDeps {
  db: Db;
  docker: Docker;
  box: SecretBox;
  site: VariableSite;
  github: GitHubClient;
  deploymentLog: DeploymentLog;
  instance: string;
  dockerSocket: string;
  builds: { workspacesDir: string; dockerCli: string; registry?: string | null };
  githubWebUrl: string;
  stackBindPaths?: string[];
  stackAllow?: string[];
  guards?: BuildGuards;
}

export function createBuildActivities(deps: BuildActivityDeps) {
  const common = { db: deps.db, deploymentLog: deps.deploymentLog, workspacesDir: deps.builds.workspacesDir };
  return {
    fetchSource: createFetchSource({ ...common, github: deps.github, gitHosts: createHostApis({ db: deps.db, box: deps.box }), githubWebUrl: deps.githubWebUrl, disk: deps.guards?.disk }),
    buildImage: createBuildImage({ ...common, docker: deps.docker, box: deps.box, dockerCli: deps.builds.dockerCli, dockerSocket: deps.dockerSocket, instance: deps.instance, guards: deps.guards }),
    pushImage: createPushImage({ docker: deps.docker, deploymentLog: deps.deploymentLog }),
    buildStackImages: createBuildStackImages({
      ...common,
      box: deps.box,
      site: deps.site,
      dockerCli: deps.builds.dockerCli,
      dockerSocket: deps.dockerSocket,
      instance: deps.instance,
      allowedBindPaths: deps.stackBindPaths ?? [],
      allowed: deps.stackAllow ?? [],
      guards: deps.guards,
    }),
    /** Whatever the outcome, a deployment's checkout goes when it ends. */
    async discardWorkspace(input: { deploymentId: string }): Promise<void> {
      await removeWorkspace(workspaceDir(deps.builds.workspacesDir, input.deploymentId));
    },
  };
}

export type { Built } from './docker-build.js';
export type { Pushed } from './push-image.js';
export type { StackImagesBuilt } from './build-stack-images.js';
