// Every workflow type Berth registers. An export's name is its durable type name: public API.
export { environmentLane } from './environment-lane.js';
export { deployRelease } from './deploy-release.js';
export { reconcileEnvironment } from './reconcile-environment.js';
export { reconcileAll } from './reconcile-all.js';
export { pruneUnusedImages } from './prune-unused-images.js';
export { deployStatic } from './deploy-static.js';
export { deployFromGit } from './deploy-from-git.js';
export { receiveDelivery } from './receive-delivery.js';
export { previewLifecycle } from './preview-lifecycle.js';
export { syncRepositories } from './sync-repositories.js';
export { rolloutStack } from './rollout-stack.js';
export { rolloutStackService } from './rollout-stack-service.js';
