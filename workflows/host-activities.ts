// Activities that touch a Docker host run on that host's task queue (berth.host.<id>), so
// Temporal routes them there without SSH; each kind of step brings its own profile.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { HostActivities } from '../activities/index.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';

export function hostActivities(hostId: string, profile: ActivityOptions): HostActivities {
  return proxyActivities<HostActivities>({ ...profile, taskQueue: hostTaskQueue(hostId) });
}
