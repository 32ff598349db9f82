// The deploy requests the API hands to an environment's lane, and the 202 it answers with.
import type { Db } from '../db/client.js';
import type { AppRow } from '../db/queries/apps.js';
import { basisOf, effectiveSettings } from '../db/queries/environment-settings.js';
import type { EnvironmentRow } from '../db/queries/environments.js';
import { inFlightDeployment } from '../db/queries/in-flight.js';
import { conflict } from './errors.js';
import type { Config } from '../src/config.js';
import { requestBase, type RequestSite } from '../src/domain/deploy-request.js';
import { newId } from '../src/ids.js';
import { workflowUiUrl } from '../src/temporal/client.js';

/** Everything of a request but its kind and what it releases, with the environment's effective settings. */
export async function baseRequest(db: Db, config: Config, a: AppRow, env: EnvironmentRow, deploymentId = newId('dep')) {
  // A request carries the placement it is made under; during a move that changes at its commit.
  // Read side by side: each round trip to the database is on every deploy's and rollback's path.
  const [busy, { settings }] = await Promise.all([inFlightDeployment(db, env.id), basisOf(db, env, a).then((basis) => effectiveSettings(db, env.id, config.deploys.watchSeconds, basis))]);
  if (busy?.trigger === 'move') throw conflict(`environment ${env.name} is moving to another host (deployment ${busy.id}): ask again once that has ended`);
  const site = requestSite(config);
  return { deploymentId, trigger: 'api', ...requestBase(a, env, settings, site) };
}

/** What every request the API makes follows from in the installation's settings. */
export function requestSite(config: Config): RequestSite {
  return { appsDomain: config.appsDomain, hostId: config.hostId, traefikPort: config.traefik.port, httpsPort: config.traefik.httpsPublicPort, publicUrl: config.api.publicUrl, watchSeconds: config.deploys.watchSeconds };
}

export function acceptedBody(config: Config, deploymentId: string, workflowId: string) {
  return {
    deploymentId,
    workflowId,
    status: 'queued',
    url: `${config.api.publicUrl}/api/v1/deployments/${deploymentId}`,
    temporalUrl: workflowUiUrl(config.temporal, workflowId),
  };
}
