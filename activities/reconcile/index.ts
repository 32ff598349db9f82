// Reconcile's activities: healing and sweeping on the host, routes and stuck work on the
// control plane, reads and event records in the store.
export { createCheckStuck, type StuckPolicy } from './stuck-deployments.js';
export { createCleanupBuildCache, type BuildCacheCleanup } from './cleanup-build-cache.js';
export { createCleanupImages, type CleanupResult } from './cleanup-images.js';
export { createHealContainers, type HealAction, type Healed } from './heal-containers.js';
export { createSweepOrphans, type Orphan } from './sweep-orphans.js';
