// Reconcile's sweep on a host: containers this instance labelled that belong to no retained
// release (or to an environment that no longer exists) are removed. Nothing without this
// instance's labels is ever looked at, let alone touched.
import { orphanContainers } from '../../src/domain/reconcile-plan.js';
import type { createContainerActivities } from '../docker/containers.js';

export interface SweepInput {
  /** Per environment that exists: the releases whose containers are kept. */
  keep: Record<string, string[]>;
  /** Deployments in progress: what they made is theirs until they end. */
  activeDeploymentIds: string[];
  /** How long it waits for the host's engine when that is away (activities/docker/engine-guard.ts); absent: the attempt's deadline. */
  engineWaitMs?: number;
}

export interface Orphan {
  containerId: string;
  name: string;
  environmentId: string;
  releaseId: string;
}

export function createSweepOrphans({ containers }: { containers: ReturnType<typeof createContainerActivities> }) {
  return async function sweepOrphans(input: SweepInput): Promise<Orphan[]> {
    const all = await containers.listContainers({});
    const active = new Set(input.activeDeploymentIds);
    const byEnv = new Map<string, typeof all>();
    for (const c of all) {
      const env = c.environmentId;
      byEnv.set(env, [...(byEnv.get(env) ?? []), c]);
    }
    const doomed: Orphan[] = [];
    for (const [environmentId, list] of byEnv) {
      const keep = new Set(input.keep[environmentId] ?? []);
      const observed = list.map((c) => ({ id: c.id, releaseId: c.releaseId, deploymentId: c.deploymentId, replica: c.replica, running: c.state === 'running' }));
      for (const o of orphanContainers(observed, keep, active)) {
        doomed.push({ containerId: o.id, name: list.find((c) => c.id === o.id)?.name ?? o.id, environmentId, releaseId: o.releaseId });
      }
    }
    if (doomed.length) await containers.removeContainers({ containerIds: doomed.map((d) => d.containerId) });
    return doomed;
  };
}
