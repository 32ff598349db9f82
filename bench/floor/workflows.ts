// The hops of a deploy with nothing in them, for bench/floor/temporal-floor.ts: an update to a
// long-lived lane that records the request in a local activity and starts a child; the child
// runs one activity on a host's task queue (the launch) and one on its own queue (the switch).
// And, for comparison, the least any request can take through Temporal: an update whose handler
// runs one activity on the lane's own queue (handed over eagerly with the task's answer).
// Only @temporalio/workflow: this file is bundled on its own.
import { condition, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, startChild } from '@temporalio/workflow';

export interface FloorActivities {
  record(id: string): Promise<void>;
  launch(id: string): Promise<void>;
  switchRoute(id: string): Promise<void>;
  reached(id: string): Promise<void>;
}

export const HOST_QUEUE = 'floor-host';
export const goUpdate = defineUpdate<string, [string]>('go');

const { record } = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '10s' });
const { switchRoute, reached } = proxyActivities<FloorActivities>({ startToCloseTimeout: '10s' });
const { launch } = proxyActivities<FloorActivities>({ startToCloseTimeout: '10s', taskQueue: HOST_QUEUE });

export async function floorLane(): Promise<void> {
  setHandler(goUpdate, async (id: string) => {
    await record(id);
    await startChild(floorDeploy, { workflowId: `floor-deploy-${id}`, args: [id] });
    return id;
  });
  await condition(() => false);
}

export async function floorDeploy(id: string): Promise<void> {
  await launch(id);
  await switchRoute(id);
}

export async function leastLane(): Promise<void> {
  setHandler(goUpdate, async (id: string) => {
    await reached(id);
    return id;
  });
  await condition(() => false);
}
