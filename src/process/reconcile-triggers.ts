// What the worker does with container deaths: a container of a live release that dies starts
// (or re-arms) the targeted reconcile of its environment; a reopened event stream starts a full
// reconcile now. Deaths of anything else (retired or undone containers) are Berth's own doing.
// A stack's task containers carry no release: any of them dying, while the stack has a live
// release, has its environment reconciled (Swarm starts a replacement at another address, and
// the route must follow it).
import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { environments } from '../../db/schema/index.js';
import type { Config } from '../config.js';
import { LABEL } from '../domain/labels.js';
import { WORKFLOWS } from '../domain/workflow-contracts.js';
import { recheckSignal } from '../domain/workflow-definitions.js';
import { RECONCILE_ALL_WORKFLOW_ID, reconcileEnvironmentWorkflowId } from '../domain/workflow-ids.js';
import type { Logger } from '../logger.js';
import { reconcileAllInput } from '../temporal/schedules.js';
import { signalWithStart, startWorkflow } from '../temporal/workflow-starts.js';
import type { ContainerDeath } from './docker-events.js';

export function createReconcileTriggers(deps: { temporal: Client; db: Db; config: Config; log: Logger }) {
  const { temporal, db, config, log } = deps;
  return {
    async onDeath(death: ContainerDeath): Promise<void> {
      const environmentId = death.labels[LABEL.environment];
      if (!environmentId) return;
      const [env] = await db.select({ live: environments.liveReleaseId }).from(environments).where(eq(environments.id, environmentId));
      const stackTask = death.labels[LABEL.stack] !== undefined;
      if (!env?.live || (!stackTask && env.live !== death.labels[LABEL.release])) return;
      log.info({ environmentId, containerId: death.containerId, event: death.event }, 'live container died');
      await signalWithStart(temporal, WORKFLOWS.reconcileEnvironment, recheckSignal, {
        workflowId: reconcileEnvironmentWorkflowId(environmentId),
        args: [{ environmentId, hostId: config.hostId, trigger: 'docker-event' }],
        signalArgs: [],
      });
    },

    async onReconnect(): Promise<void> {
      log.info('docker events reopened; reconciling everything');
      await startWorkflow(temporal, WORKFLOWS.reconcileAll, {
        workflowId: RECONCILE_ALL_WORKFLOW_ID,
        args: [reconcileAllInput(config, 'docker-reconnect')],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }).catch((err: unknown) => log.warn({ err }, 'could not start reconcile'));
    },
  };
}
