// What the worker does with container events: a container of a live release that dies starts
// (or re-arms) the targeted reconcile of its environment; a reopened event stream starts a full
// reconcile now. Deaths of anything else (retired or undone containers) are Berth's own doing.
// A stack's task containers carry no release: any of them dying or starting, while the stack has
// a live release, has its environment reconciled (Swarm replaces a task that dies, maybe at
// another address, and the routes must follow: first to the tasks left, then to the new one).
import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { listHosts } from '../../db/queries/hosts.js';
import { environments } from '../../db/schema/index.js';
import type { Config } from '../config.js';
import { LABEL } from '../domain/labels.js';
import { WORKFLOWS } from '../domain/workflow-contracts.js';
import { recheckSignal } from '../domain/workflow-definitions.js';
import { RECONCILE_ALL_WORKFLOW_ID, reconcileEnvironmentWorkflowId } from '../domain/workflow-ids.js';
import type { Logger } from '../logger.js';
import { reconcileAllInput } from '../temporal/schedules.js';
import { signalWithStart, startWorkflow } from '../temporal/workflow-starts.js';
import type { ContainerEvent } from './docker-events.js';

/** The host whose node is the Swarm's manager, as the main worker records it (null: none yet). */
async function managerHost(db: Db): Promise<string | null> {
  return (await listHosts(db)).find((h) => h.swarm?.role === 'manager')?.id ?? null;
}

/** hostOnly: a host's own worker (`berth worker --host ID`), whose events are of that host's daemon only. */
export function createReconcileTriggers(deps: { temporal: Client; db: Db; config: Config; log: Logger; hostOnly?: boolean }) {
  const { temporal, db, config, log } = deps;
  // An event is this worker's to act on only for an environment placed on its host: a moved
  // environment's containers removed from the host it left are no death to heal (here, or
  // elsewhere). Environments placed nowhere in particular (null) are the main worker's.
  const placedHere = (hostId: string | null) => (hostId === null ? !deps.hostOnly : hostId === config.hostId);
  return {
    async onEvent(event: ContainerEvent): Promise<void> {
      const environmentId = event.labels[LABEL.environment];
      const stackTask = event.labels[LABEL.stack] !== undefined;
      if (!environmentId || (event.event === 'start' && !stackTask)) return;
      const [env] = await db
        .select({ live: environments.liveReleaseId, hostId: environments.hostId, spread: environments.spread })
        .from(environments)
        .where(eq(environments.id, environmentId));
      // A spread environment's live containers run on several hosts: a death on any of them is
      // its reconcile's (which heals every host's share), whichever host's worker saw it.
      if (!env?.live || (!stackTask && env.live !== event.labels[LABEL.release])) return;
      // A stack's task on this host's Swarm node (a service pinned here): the stack is healed
      // and routed from its own host, the Swarm's manager (the main worker sees no event of it).
      // A stack placed on a host explicitly (the installation's own) counts as much as one
      // placed nowhere in particular.
      const stackHost = stackTask && deps.hostOnly && !placedHere(env.hostId) ? (env.hostId ?? (await managerHost(db))) : null;
      if (stackTask && deps.hostOnly && !placedHere(env.hostId) && !stackHost) log.debug({ environmentId }, 'stack task event: no Swarm manager host known');
      if (!(env.spread || placedHere(env.hostId) || stackHost)) return;
      log.info({ environmentId, containerId: event.containerId, event: event.event }, 'container of a live release changed');
      await signalWithStart(temporal, WORKFLOWS.reconcileEnvironment, recheckSignal, {
        workflowId: reconcileEnvironmentWorkflowId(environmentId),
        args: [{ environmentId, hostId: stackHost ?? config.hostId, trigger: 'docker-event' }],
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
