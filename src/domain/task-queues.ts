// Every task queue Berth uses. Workflows run on the control queue; activities that touch a
// Docker host run on that host's queue, so Temporal routes them there without SSH.

export const CONTROL_TASK_QUEUE = 'berth.control';

export function hostTaskQueue(hostId: string): string {
  return `berth.host.${hostId}`;
}
