// An app built from source (kind git) builds before its launch, on a deploy (a rollback runs a
// release that was built already). Shared by the single-host and the spread image paths.
import type { DeployRequest } from '../src/domain/deployment.js';
import type { Deployment } from './deployment-skeleton.js';

export type Build = (deploy: Deployment) => Promise<string>;

/** The image to release, and whether the launch's report is the deployment's first (no build ran before it). */
export async function buildFirst(deploy: Deployment, request: DeployRequest, build?: Build): Promise<{ image: string | undefined; starting: boolean }> {
  if (!build || request.kind !== 'deploy') return { image: request.image, starting: true };
  deploy.progress('building');
  return { image: await build(deploy), starting: false };
}
