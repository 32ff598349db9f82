// Targeted reconcile of one environment (workflow id reconcile-<environment id>), started by the
// worker's Docker events listener when a container of a live release dies. A death while it runs
// (signal recheck) makes it look once more, so no event is lost between two passes.
import { proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { ReconcileEnvironmentInput } from '../src/domain/workflow-contracts.js';
import { recheckSignal } from '../src/domain/workflow-definitions.js';
import { STORE } from './activity-profiles.js';
import { reconcileTarget } from './reconcile-target.js';

/** Passes per run at most; a container that keeps dying is the scheduled reconcile's again. */
const MAX_PASSES = 5;

export async function reconcileEnvironment(input: ReconcileEnvironmentInput): Promise<number> {
  const store = proxyLocalActivities<ControlActivities>(STORE);
  let again = true;
  setHandler(recheckSignal, () => {
    again = true;
  });
  let actions = 0;
  for (let pass = 0; again && pass < MAX_PASSES; pass++) {
    again = false;
    const [target] = await store.reconcileTargets({ environmentId: input.environmentId });
    if (!target) break;
    // Healed on the host the environment is placed on, whichever worker's event started this.
    const events = await reconcileTarget(target, target.hostId ?? input.hostId);
    await store.recordReconcileEvents({ trigger: input.trigger, events });
    actions += events.length;
  }
  return actions;
}
