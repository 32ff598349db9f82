// The intake of one repository's deliveries (workflow id intake-<host>-<repository>): the
// dispatcher hands it stored deliveries in batches (signal `deliveries`, with signal-with-start),
// so a burst of thousands costs a few Temporal calls instead of a workflow start each. It handles
// each delivery as receiveDelivery did (handle-delivery.ts), many at once. (Its steps are
// ordinary activities: local ones, run many at once, left histories that did not replay when a
// signal arrived during a long workflow task.) A delivery handed over twice is handled once: ids seen in this run are
// dropped, and those handled in an earlier run are filtered out (unprocessedDeliveries) before
// anything acts. It continues as new to keep its history short, and ends after a quiet minute
// (the next signal-with-start begins a new run).
import { condition, continueAsNew, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import { deliveriesSignal } from '../src/domain/workflow-definitions.js';
import type { IntakeInput } from '../src/domain/workflow-contracts.js';
import { GITHUB, INTAKE, WORKFLOW_CALLS } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import { handleDelivery, type DeliveryCalls } from './handle-delivery.js';

/** Deliveries taken from the queue per step; all of them are handled before the next step. */
const STEP = 200;
/** Deliveries handled at once within a step. */
const PARALLEL = 50;
/** A run ends after this long without a delivery. */
const IDLE = '1 minute';
/** A run continues as new after this many deliveries (~7 events each), or when Temporal suggests it. */
const PER_RUN = 500;

export async function intakeDeliveries({ key, queued = [] }: IntakeInput): Promise<void> {
  const intake = proxyActivities<ControlActivities>(INTAKE);
  const calls: DeliveryCalls = { intake, github: proxyActivities<ControlActivities>(GITHUB), workflows: proxyActivities<ControlActivities>(WORKFLOW_CALLS) };
  const queue = [...queued];
  const seen = new Set(queue);
  setHandler(deliveriesSignal, (ids) => {
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(id);
    }
  });

  let handled = 0;
  while (await condition(() => queue.length > 0, IDLE)) {
    const step = await intake.unprocessedDeliveries({ ids: queue.splice(0, STEP) });
    let next = 0;
    const lane = async () => {
      while (next < step.length) {
        const deliveryId = step[next++] as string;
        try {
          await handleDelivery(deliveryId, calls);
        } catch (err) {
          // Its outcome could not be planned or recorded (the row is gone, the database refused
          // twenty times): the others go on; the row stays unprocessed, for the list to show.
          log.warn('delivery not handled', { key, deliveryId, error: describeFailure(err).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, step.length) }, lane));
    handled += step.length;
    if (handled >= PER_RUN || workflowInfo().continueAsNewSuggested) {
      // Nothing is in flight here; what is queued goes along.
      await continueAsNew<typeof intakeDeliveries>({ key, queued: queue });
    }
  }
}
