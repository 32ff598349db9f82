// Whether the Docker engine, not the stack, ended a stack's tasks since a moment (the stack's
// counterpart of docker/engine-restarts.ts). A restart of the engine ends every task; Swarm
// starts new ones once the node is back, but the post-switch watch saw the exposed services
// stop answering meanwhile — and the previous release's services went with the same restart,
// so going back to them would judge the release by the engine. This engine's Swarm node
// records when it last came back (its UpdatedAt, as the task gate reads it): a node back after
// the moment, with tasks Swarm made since then, means the engine restarted (a node changed
// otherwise replaced no task). The answer waits (a bounded time) for Swarm to run the stack's
// long-running replicas again, and says how many do.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { LABEL, labelFilter } from '../../src/domain/labels.js';
import { stackNamespace } from '../../src/domain/stack.js';
import { withHeartbeat } from '../heartbeat.js';
import { confirmEngineHere } from '../docker/engine-away.js';
import { nodeBackAt, type Task } from './task-gate.js';

/** How long Swarm may take to run the stack's replicas again after the node is back. */
const RESTORE_WAIT_MS = 20_000;
const POLL_MS = 250;

interface ServiceRow {
  Spec?: { Name?: string; Mode?: { Replicated?: { Replicas?: number } }; TaskTemplate?: { RestartPolicy?: { Condition?: string } } };
}

/** Services Swarm does not start again once they exit 0 (one-shots): nothing of theirs runs to count. */
const ONE_SHOT = new Set(['none', 'on-failure']);

export function createStackEngineRestart({ docker, socketPath, instance }: { docker: Docker; socketPath: string; instance: string }) {
  /**
   * Replicas the stack's long-running services want, how many of their tasks run, and how many
   * of those Swarm made since `since` (it replaces the tasks a restart of the engine ended).
   */
  async function replicas(environmentId: string, since: number): Promise<{ wanted: number; running: number; renewed: number }> {
    const services = (await docker.listServices({ filters: { label: labelFilter(instance, { [LABEL.stack]: stackNamespace(environmentId) }) } })) as ServiceRow[];
    const count = { wanted: 0, running: 0, renewed: 0 };
    for (const s of services) {
      const want = s.Spec?.Mode?.Replicated?.Replicas ?? 0;
      if (want === 0 || !s.Spec?.Name || ONE_SHOT.has(s.Spec.TaskTemplate?.RestartPolicy?.Condition ?? '')) continue;
      count.wanted += want;
      const tasks = ((await docker.listTasks({ filters: { service: [s.Spec.Name], 'desired-state': ['running'] } })) as Task[]).filter((t) => t.Status?.State === 'running');
      count.running += Math.min(want, tasks.length);
      count.renewed += tasks.filter((t) => Date.parse(t.CreatedAt ?? '') > since).length;
    }
    return count;
  }

  return {
    /**
     * A description of the engine's restart since `since` and of the stack's tasks now, or null
     * when the engine did not restart since then. Throws EngineAwayError while the engine is
     * away: the engine guard waits for it and asks again.
     */
    async stackRestartedByEngine(input: { environmentId: string; since: number }): Promise<string | null> {
      return withHeartbeat(async (signal) => {
        const deadline = Date.now() + RESTORE_WAIT_MS;
        for (;;) {
          await confirmEngineHere(socketPath, 'asked whether it restarted the stack');
          const back = await nodeBackAt(docker);
          if (back <= input.since) return null;
          const now = await replicas(input.environmentId, input.since);
          // The node changed for another reason (a label, its availability) and no task was replaced: the verdict stands.
          if (now.running >= now.wanted && now.renewed === 0) return null;
          if (now.running >= now.wanted || Date.now() > deadline) {
            return `the Docker engine restarted (its Swarm node came back ${Math.round((back - input.since) / 1000)} s into the watch); ${now.running} of the stack's ${now.wanted} task(s) running again`;
          }
          await sleep(POLL_MS, undefined, { signal });
        }
      });
    },
  };
}
