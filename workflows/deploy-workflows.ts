// Which workflow makes a release of each kind of app live. The lane runs the one for the
// request's app kind as its child; every one of them takes a DeployRequest and returns a
// DeployResult, records its own phases and outcome, and honours abortDeploySignal.
import type { AppKind, DeployRequest, DeployResult } from '../src/domain/deployment.js';
import { deployFromGit } from './deploy-from-git.js';
import { deployRelease } from './deploy-release.js';
import { deployStatic } from './deploy-static.js';
import { rolloutStack } from './rollout-stack.js';

export type DeployWorkflow = (request: DeployRequest) => Promise<DeployResult>;

export const DEPLOY_WORKFLOWS: Partial<Record<AppKind, DeployWorkflow>> = {
  image: deployRelease,
  static: deployStatic,
  git: deployFromGit,
  stack: rolloutStack,
};
