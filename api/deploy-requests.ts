// The deploy requests the API hands to an environment's lane, and the 202 it answers with.
import type { AppRow } from '../db/queries/apps.js';
import type { EnvironmentRow } from '../db/queries/environments.js';
import type { Config } from '../src/config.js';
import { environmentHosts } from '../src/domain/route.js';
import { newId } from '../src/ids.js';
import { workflowUiUrl } from '../src/temporal/client.js';

/** Everything of a request but its kind and what it releases. */
export function baseRequest(config: Config, a: AppRow, env: EnvironmentRow) {
  return {
    deploymentId: newId('dep'),
    appId: a.id,
    appKind: a.kind,
    appName: a.name,
    environmentId: env.id,
    environmentName: env.name,
    trigger: 'api',
    queuePolicy: env.queuePolicy,
    cancelSuperseded: env.cancelSuperseded,
    retention: env.retention,
    drainSeconds: env.drainSeconds,
    hosts: environmentHosts(a.name, env.name, config.appsDomain, env.domains),
    hostId: config.hostId,
  };
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
