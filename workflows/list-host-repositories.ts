// The repositories a git host connection reaches, read from the host by an activity (the API
// never calls a git host itself) and handed back to the API's caller.
import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { HostRepository } from '../src/domain/host-repositories.js';
import { GITHUB } from './activity-profiles.js';

export async function listHostRepositories(input: { gitHostId: string }): Promise<HostRepository[]> {
  // Someone is waiting on the answer (25 s at most, the API's limit): a few quick attempts.
  const hosts = proxyActivities<ControlActivities>({ ...GITHUB, startToCloseTimeout: '20s', retry: { ...GITHUB.retry, maximumAttempts: 3 } });
  return hosts.listHostRepositories(input);
}
