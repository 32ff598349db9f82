// Repository sync: every installation's repositories (the Schedule runs it), or one's (after an
// installation event or the installation callback).
import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import { GITHUB } from './activity-profiles.js';

export async function syncRepositories(input: { installationId: number | null }) {
  const github = proxyActivities<ControlActivities>({ ...GITHUB, startToCloseTimeout: '10m', heartbeatTimeout: '30s' });
  return github.syncRepositories({ installationId: input.installationId });
}
