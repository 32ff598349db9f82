// The intake of one repository's deliveries (workflow id intake-<hash of host and repository>): the
// dispatcher hands it stored deliveries in batches (signal `deliveries`, with signal-with-start),
// so a burst of thousands costs a few Temporal calls instead of a workflow start each. It handles
// each delivery as receiveDelivery did (handle-delivery.ts), many at once. (Its steps are
// ordinary activities: local ones, run many at once, left histories that did not replay when a
// signal arrived during a long workflow task.) A delivery handed over twice is handled once: ids seen in this run are
// dropped, and those handled in an earlier run are filtered out (unprocessedDeliveries) before
// anything acts. It continues as new to keep its history short, and ends after a quiet minute
// (the next signal-with-start begins a new run).
import { condition, continueAsNew, log, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { DeliveryPlan } from '../activities/github/index.js';
import type { ControlActivities } from '../activities/index.js';
import { deliveriesSignal } from '../src/domain/workflow-definitions.js';
import type { IntakeInput } from '../src/domain/workflow-contracts.js';
import { GITHUB, INTAKE, WORKFLOW_CALLS } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import { actOnPlan, orderKeys, type DeliveryCalls } from './handle-delivery.js';

/** Deliveries taken from the queue per step; all of them are handled before the next step. */
const STEP = 200;
/** Deliveries handled at once within a step. */
const PARALLEL = 50;
/** A run ends after this long without a delivery. */
const IDLE = '1 minute';
/** A run continues as new after this many deliveries (~7 events each), or when Temporal suggests it. */
const PER_RUN = 500;
/** Before reading a step's deliveries again after the database refused every attempt. */
const RETRY_PAUSE = '30 seconds';

export async function intakeDeliveries({ key, queued = [] }: IntakeInput): Promise<void> {
  const intake = proxyActivities<ControlActivities>(INTAKE);
  const calls: DeliveryCalls = { intake, github: proxyActivities<ControlActivities>(GITHUB), workflows: proxyActivities<ControlActivities>(WORKFLOW_CALLS) };
  const queue = [...queued];
  const seen = new Set(queue);
  // Its outcome could not be planned or recorded (the row is gone, the database refused twenty
  // times): the others go on; the row stays unprocessed, for the list to show.
  const notHandled = (deliveryId: string, err: unknown): undefined => {
    log.warn('delivery not handled', { key, deliveryId, error: describeFailure(err).message });
    return undefined;
  };
  setHandler(deliveriesSignal, (ids) => {
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(id);
    }
  });

  let handled = 0;
  while (await condition(() => queue.length > 0, IDLE)) {
    const ids = queue.splice(0, STEP);
    let step: string[];
    try {
      step = await intake.unprocessedDeliveries({ ids });
    } catch (err) {
      // The database away through every attempt: the ids were handed over and are not handed
      // over again, so they go back to the front of the queue and are tried after a pause.
      log.warn('deliveries not read; trying again', { key, count: ids.length, error: describeFailure(err).message });
      queue.unshift(...ids);
      await sleep(RETRY_PAUSE);
      continue;
    }
    // Planned many at once; acted on in arrival order wherever two touch the same lane or preview.
    const plans = new Map<string, DeliveryPlan>();
    let next = 0;
    const planLane = async () => {
      while (next < step.length) {
        const deliveryId = step[next++] as string;
        const plan = await intake.planDelivery({ deliveryId }).catch((err: unknown) => notHandled(deliveryId, err));
        if (plan) plans.set(deliveryId, plan);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, step.length) }, planLane));
    const tails = new Map<string, Promise<unknown>>();
    const acting = step.flatMap((deliveryId) => {
      const plan = plans.get(deliveryId);
      if (!plan) return [];
      const keys = [...new Set(orderKeys(plan))];
      const done = Promise.all(keys.map((k) => tails.get(k)))
        .then(() => actOnPlan(deliveryId, plan, calls))
        .catch((err: unknown) => notHandled(deliveryId, err));
      for (const k of keys) tails.set(k, done);
      return [done];
    });
    await Promise.all(acting);
    handled += step.length;
    if (handled >= PER_RUN || workflowInfo().continueAsNewSuggested) {
      // Nothing is in flight here; what is queued goes along.
      await continueAsNew<typeof intakeDeliveries>({ key, queued: queue });
    }
  }
}
