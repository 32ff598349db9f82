// Reconcile on a host: make one environment's live release run one healthy container per
// replica again (start what exited, recreate what is gone, stop duplicates) and report where
// each replica answers, so the route can follow.
import type { HealthCheck } from '../../src/domain/app-spec.js';
import { desiredReplicas, planContainers, type DesiredRelease } from '../../src/domain/reconcile-plan.js';
import type { Endpoint } from '../docker/containers.js';
import type { createContainerActivities } from '../docker/containers.js';
import type { createHealthActivities } from '../health/index.js';

export interface HealInput {
  appId: string;
  environmentId: string;
  desired: DesiredRelease;
  port: number;
  check: HealthCheck;
  /**
   * A spread host's share: the servers the route lists now. A replica answering elsewhere (its
   * engine came back and restarted it on a new port) is health-checked like one it started, and
   * a failed check is reported as `unhealthy`, so the host rejoins the route only once it answers.
   */
  routed?: string[] | undefined;
  /** How long it waits for its engine when that is away (activities/docker/engine-guard.ts); absent: the attempt's deadline. */
  engineWaitMs?: number | undefined;
  /**
   * Once a spread host's heal alone; every heal now does nothing when `desired` is no longer
   * live or a deployment is queued or running (read when it starts, and again before it makes a
   * container anew), so a late heal never stops a newer release's containers or starts the old
   * ones again, and an environment being torn down is not brought back.
   */
  onlyWhileLive?: boolean | undefined;
}

export interface HealAction {
  drift: 'container-exited' | 'container-missing' | 'container-duplicate' | 'container-not-live';
  action: 'started' | 'recreated' | 'stopped';
  replica: number;
  outcome: 'done' | 'failed';
  detail: string;
}

export interface Healed {
  endpoints: Endpoint[];
  actions: HealAction[];
  /** With routed: why its replicas did not all answer (the workflow leaves such a host out of the route). */
  unhealthy?: string;
  /** The release is no longer live, or a deployment is under way: nothing was done. */
  superseded?: boolean;
}

interface Deps {
  /** Where the environment's hot standby is read: the reconcile workflow's input stays as it was. */
  standbyOf(environmentId: string): Promise<string | null>;
  /** Whether `deploymentId` is still the environment's live deployment, with nothing queued or running. */
  stillLive(environmentId: string, deploymentId: string): Promise<boolean>;
  containers: ReturnType<typeof createContainerActivities>;
  health: ReturnType<typeof createHealthActivities>;
}

const DRIFT = {
  start: 'container-exited',
  recreate: 'container-missing',
  'stop-duplicate': 'container-duplicate',
  'stop-not-live': 'container-not-live',
} as const;
const DONE = { start: 'started', recreate: 'recreated', 'stop-duplicate': 'stopped', 'stop-not-live': 'stopped' } as const;

export function createHealContainers({ containers, health, standbyOf, stillLive }: Deps) {
  return async function healContainers(input: HealInput): Promise<Healed> {
    const live = () => stillLive(input.environmentId, input.desired.deploymentId);
    if (!(await live())) return { endpoints: [], actions: [], superseded: true };
    const observed = (await containers.listContainers({ environmentId: input.environmentId })).map((c) => ({
      id: c.id,
      releaseId: c.releaseId,
      deploymentId: c.deploymentId,
      replica: c.replica,
      running: c.state === 'running',
    }));
    const plan = planContainers({ ...input.desired, standbyReleaseId: await standbyOf(input.environmentId) }, observed);
    const actions: HealAction[] = [];
    const replicas = desiredReplicas(input.desired);
    const serving = [...plan.serving];
    const touched = new Set<string>();
    for (const step of plan.actions) {
      try {
        if (step.kind === 'stop-duplicate' || step.kind === 'stop-not-live') {
          await containers.stopContainers({ containerIds: [step.containerId], timeoutSeconds: 10 });
        } else if (step.kind === 'recreate') {
          // Removed by a teardown meanwhile (its containers go before its environment's row): not made again.
          if (!(await live())) return { endpoints: [], actions, superseded: true };
          const [id] = await containers.createContainers({
            deploymentId: input.desired.deploymentId,
            appId: input.appId,
            environmentId: input.environmentId,
            releaseId: input.desired.releaseId,
            replicas: [step.replica],
          });
          serving[replicas.indexOf(step.replica)] = id ?? null;
          touched.add(id as string);
        } else {
          touched.add(step.containerId);
        }
        actions.push({ drift: DRIFT[step.kind], action: DONE[step.kind], replica: step.replica, outcome: 'done', detail: step.reason });
      } catch (err) {
        actions.push({ drift: DRIFT[step.kind], action: DONE[step.kind], replica: step.replica, outcome: 'failed', detail: `${step.reason}: ${(err as Error).message}` });
      }
    }
    const ids = serving.filter((id): id is string => id !== null);
    // Starting is idempotent: it also reports every replica's current port.
    const endpoints = ids.length ? await containers.startContainers({ containerIds: ids, port: input.port }) : [];
    const routed = input.routed ? new Set(input.routed) : null;
    const healed = endpoints.filter((e) => touched.has(e.containerId) || (routed && !routed.has(e.url)));
    if (healed.length) {
      try {
        await health.waitHealthy({ deploymentId: input.desired.deploymentId, endpoints: healed, check: input.check });
      } catch (err) {
        // Still routed: the old route pointed at containers that were not there at all.
        for (const a of actions) if (a.action !== 'stopped') Object.assign(a, { outcome: 'failed', detail: `${a.detail}; unhealthy: ${(err as Error).message}` });
        if (routed) return { endpoints, actions, unhealthy: (err as Error).message };
      }
    }
    return { endpoints, actions };
  };
}
