// Writes of deployment state. These run as local activities next to the workflow.
import type { Db } from '../../db/client.js';
import { createDeploymentStore } from './deployments.js';
import { createReleaseStore } from './releases.js';

export type { ReleaseSpec } from './releases.js';

export function createStoreActivities(db: Db) {
  return { ...createDeploymentStore(db), ...createReleaseStore(db) };
}

export type StoreActivities = ReturnType<typeof createStoreActivities>;
