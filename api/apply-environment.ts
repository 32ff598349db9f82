// Domain, HTTPS and certificate changes take effect without a deploy: the API asks the
// environment's reconcile workflow to run, which rewrites the route (and certificate) files
// when they differ from what the database now says. Nothing here touches Traefik itself.
import type { Client } from '@temporalio/client';
import type { Config } from '../src/config.js';
import { WORKFLOWS } from '../src/domain/workflow-contracts.js';
import { recheckSignal } from '../src/domain/workflow-definitions.js';
import { reconcileEnvironmentWorkflowId } from '../src/domain/workflow-ids.js';
import { signalWithStart } from '../src/temporal/workflow-starts.js';

export async function applyEnvironment(temporal: Client, config: Config, environmentId: string): Promise<void> {
  await signalWithStart(temporal, WORKFLOWS.reconcileEnvironment, recheckSignal, {
    workflowId: reconcileEnvironmentWorkflowId(environmentId),
    args: [{ environmentId, hostId: config.hostId, trigger: 'api' }],
    signalArgs: [],
  });
}
