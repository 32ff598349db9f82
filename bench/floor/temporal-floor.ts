// Temporal's own floor under a deploy: the same hops as Berth's (the API's update to the lane,
// the lane's task with its local activity, the child's start and first task, an activity on a
// host's queue, a second task, an activity on the control queue) with no work in any of them,
// on the same server, with the same payload encryption, in the same run as the deploy-latency
// benchmark. What Berth adds to Docker can only get this close to zero. Beside it, for
// comparison, the least any request can take through Temporal: an update whose handler runs one
// activity on the workflow's own queue (handed over eagerly), a shape without the lane's child
// per deployment or a host's own queue, which ARCHITECTURE.md prescribes.
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { KeyRing } from '../../src/secrets/key-ring.js';
import { berthDataConverter } from '../../src/temporal/payload-codec.js';
import { median } from '../stats.js';
import { goUpdate, HOST_QUEUE, type FloorActivities } from './workflows.js';

const CONTROL_QUEUE = 'floor-control';

/**
 * Median ms from the update sent to the switch activity's end, and from the update to its answer;
 * and, for comparison, from an update to the start of the one activity its handler runs.
 */
export async function temporalFloor(address: string, namespace: string, ring: KeyRing, runs: number): Promise<{ deployMs: number; answerMs: number; leastMs: number }> {
  const dataConverter = berthDataConverter(ring);
  // When each run's switch ended (this process's clock): the point a deploy's traffic has moved,
  // before the child's last task completes it.
  const switched = new Map<string, number>();
  const activities: FloorActivities = {
    record: async () => undefined,
    launch: async () => undefined,
    switchRoute: async (id) => void switched.set(id, performance.now()),
    reached: async (id) => void switched.set(id, performance.now()),
  };
  const native = await NativeConnection.connect({ address });
  const workflowsPath = fileURLToPath(new URL(`./workflows${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));
  const control = await Worker.create({ connection: native, namespace, taskQueue: CONTROL_QUEUE, workflowsPath, activities, dataConverter });
  const host = await Worker.create({ connection: native, namespace, taskQueue: HOST_QUEUE, activities, dataConverter });
  const running = Promise.all([control.run(), host.run()]);
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace, dataConverter });
  const laneId = `floor-lane-${Date.now()}`;
  const leastId = `${laneId}-least`;
  const deploys: number[] = [];
  const answers: number[] = [];
  const least: number[] = [];
  /** Sends update `id` to the lane `workflowId` (started with it if need be); returns when it was sent and answered. */
  const send = async (workflowType: 'floorLane' | 'leastLane', workflowId: string, id: string) => {
    const t0 = performance.now();
    const start = new WithStartWorkflowOperation(workflowType, { workflowId, taskQueue: CONTROL_QUEUE, workflowIdConflictPolicy: 'USE_EXISTING' });
    await client.workflow.executeUpdateWithStart(goUpdate, { args: [id], updateId: id, startWorkflowOperation: start });
    return { t0, answered: performance.now() - t0 };
  };
  try {
    // One more than asked each: the first starts the lane and warms the workers.
    for (let i = 0; i <= runs; i++) {
      const id = `${laneId}-${i}`;
      const { t0, answered } = await send('floorLane', laneId, id);
      await client.workflow.getHandle(`floor-deploy-${id}`).result();
      if (i > 0) {
        answers.push(answered);
        deploys.push((switched.get(id) as number) - t0);
      }
    }
    for (let i = 0; i <= runs; i++) {
      const id = `${leastId}-${i}`;
      const { t0 } = await send('leastLane', leastId, id);
      if (i > 0) least.push((switched.get(id) as number) - t0);
    }
  } finally {
    for (const id of [laneId, leastId]) await client.workflow.getHandle(id).terminate('benchmark done').catch(() => undefined);
    control.shutdown();
    host.shutdown();
    await running;
    await connection.close();
    await native.close();
  }
  return { deployMs: median(deploys), answerMs: median(answers), leastMs: median(least) };
}
