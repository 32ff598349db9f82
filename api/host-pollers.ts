// Who polls a host's task queue, as Temporal sees it: the workers (identity, last poll) that
// take its activities. A second view of liveness beside the heartbeats, straight from Temporal.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;
import { hostTaskQueue } from '../src/domain/task-queues.js';

/** Temporal answers at once; a server away must not hang the request. */
const DEADLINE_MS = 3000;

export async function hostPollers(client: Client, namespace: string, hostId: string): Promise<{ identity: string; lastAccessTime: string | null }[] | null> {
  try {
    const res = await client.connection.withDeadline(Date.now() + DEADLINE_MS, () =>
      client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: hostTaskQueue(hostId), kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      }),
    );
    return (res.pollers ?? []).map((p) => {
      const at = p.lastAccessTime?.seconds;
      return { identity: p.identity ?? '', lastAccessTime: at == null ? null : new Date(Number(at) * 1000).toISOString() };
    });
  } catch {
    return null;
  }
}
