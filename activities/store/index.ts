// Writes of deployment state. These run as local activities next to the workflow.
import type { Db } from '../../db/client.js';
import type { VariableSite } from '../../db/queries/variables.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { createDeploymentStore } from './deployments.js';
import { createReleaseStore } from './releases.js';
import { createStandbyStore } from './standby.js';

export type { ReleaseSpec } from './releases.js';

export function createStoreActivities(db: Db, box: SecretBox, site: VariableSite) {
  return { ...createDeploymentStore(db), ...createReleaseStore(db, box, site), ...createStandbyStore(db) };
}

export type StoreActivities = ReturnType<typeof createStoreActivities>;
