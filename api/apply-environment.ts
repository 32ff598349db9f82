// Domain, HTTPS and certificate changes take effect without a deploy: the API asks the
// environment's reconcile workflow to run, which rewrites the route (and certificate) files
// when they differ from what the database now says. Nothing here touches Traefik itself.
import type { Client } from '@temporalio/client';
import type { Config } from '../src/config.js';
import { CONTROL_TASK_QUEUE } from '../src/domain/task-queues.js';
import { recheckSignal } from '../src/domain/workflow-definitions.js';
import { reconcileEnvironmentWorkflowId } from '../src/domain/workflow-ids.js';

export async function applyEnvironment(temporal: Client, config: Config, environmentId: string): Promise<void> {
  await temporal.workflow.signalWithStart('reconcileEnvironment', {
    workflowId: reconcileEnvironmentWorkflowId(environmentId),
    taskQueue: CONTROL_TASK_QUEUE,
    args: [{ environmentId, hostId: config.hostId, trigger: 'api' }],
    signal: recheckSignal,
    signalArgs: [],
  });
}
