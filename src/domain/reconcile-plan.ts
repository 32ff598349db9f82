// What reconcile must do to make Docker match an environment's desired state: pure, so the
// workflow, the activity and unit tests share one definition of drift.

export interface ObservedContainer {
  id: string;
  releaseId: string;
  deploymentId: string;
  replica: number;
  running: boolean;
}

export interface DesiredRelease {
  releaseId: string;
  /** The deployment that made it live: recreated containers are named after it. */
  deploymentId: string;
  replicas: number;
  /**
   * The replica indices this host runs (a spread environment's share: host i of n runs i, i+n, …);
   * absent: all of them, 0…replicas-1.
   */
  replicaIndices?: number[] | undefined;
  /** The previous release in its hot-standby window: left running (src/domain/deployment.ts standbySeconds). */
  standbyReleaseId?: string | null;
}

export type ContainerAction =
  | { kind: 'start'; replica: number; containerId: string; reason: string }
  | { kind: 'recreate'; replica: number; reason: string }
  | { kind: 'stop-duplicate'; replica: number; containerId: string; reason: string }
  | { kind: 'stop-not-live'; replica: number; containerId: string; reason: string };

export interface ContainerPlan {
  /** The container that serves each desired replica (in desiredReplicas order) once the actions ran (null: to be recreated). */
  serving: (string | null)[];
  actions: ContainerAction[];
}

/** The replica indices a host runs: its share's, else all of the release's. */
export function desiredReplicas(desired: Pick<DesiredRelease, 'replicas' | 'replicaIndices'>): number[] {
  return desired.replicaIndices ?? Array.from({ length: desired.replicas }, (_, i) => i);
}

/**
 * One running container per replica of the live release, and nothing else running. A replica
 * with no container is recreated; one whose containers all exited is started (the newest
 * deployment's copy); extra running copies of a replica are stopped, and so are running
 * containers of other releases (kept for rollback, they wait stopped; a Docker restart can
 * bring them back up) — but the one in its hot-standby window, which waits running.
 */
export function planContainers(desired: DesiredRelease, observed: ObservedContainer[]): ContainerPlan {
  const serving: (string | null)[] = [];
  const actions: ContainerAction[] = [];
  const live = observed.filter((c) => c.releaseId === desired.releaseId);
  for (const replica of desiredReplicas(desired)) {
    // Newest deployment first: ids sort by creation time.
    const copies = live.filter((c) => c.replica === replica).sort((a, b) => b.deploymentId.localeCompare(a.deploymentId));
    const running = copies.filter((c) => c.running);
    if (running.length > 0) {
      serving.push((running[0] as ObservedContainer).id);
      for (const extra of running.slice(1)) {
        actions.push({ kind: 'stop-duplicate', replica, containerId: extra.id, reason: `replica ${replica} runs ${running.length} times` });
      }
    } else if (copies.length > 0) {
      const pick = copies[0] as ObservedContainer;
      serving.push(pick.id);
      actions.push({ kind: 'start', replica, containerId: pick.id, reason: `replica ${replica} is not running` });
    } else {
      serving.push(null);
      actions.push({ kind: 'recreate', replica, reason: `replica ${replica} has no container` });
    }
  }
  for (const other of observed.filter((c) => c.releaseId !== desired.releaseId && c.releaseId !== desired.standbyReleaseId && c.running)) {
    actions.push({ kind: 'stop-not-live', replica: other.replica, containerId: other.id, reason: `release ${other.releaseId} is not live but runs` });
  }
  return { serving, actions };
}

/** Containers of an environment that belong to no retained release (and no running deploy). */
export function orphanContainers(observed: ObservedContainer[], keepReleaseIds: Set<string>, activeDeploymentIds: Set<string>): ObservedContainer[] {
  return observed.filter((c) => !keepReleaseIds.has(c.releaseId) && !activeDeploymentIds.has(c.deploymentId));
}
