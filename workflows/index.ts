// Every workflow type Berth registers. An export's name is its durable type name: public API,
// named in running workflows, schedules and recorded histories. Callers reach them through
// their contracts (src/domain/workflow-contracts.ts); test/unit/workflow-contracts.test.ts
// checks that every contract has an export of its type name and signature.
export { environmentLane } from './environment-lane.js';
// The image kind's deploy keeps the type name it was first registered under.
export { deployImage as deployRelease } from './deploy-image.js';
export { deployFromGit } from './deploy-from-git.js';
export { deployStatic } from './deploy-static.js';
export { rolloutStack } from './rollout-stack.js';
export { rolloutStackService } from './rollout-stack-service.js';
export { reconcileEnvironment } from './reconcile-environment.js';
export { reconcileAll } from './reconcile-all.js';
export { cleanUpHost } from './clean-up-host.js';
// cleanUpHost's first type name, kept for runs started before the rename (RETIRED_WORKFLOW_TYPES).
export { cleanUpHost as pruneUnusedImages } from './clean-up-host.js';
export { receiveDelivery } from './receive-delivery.js';
export { previewLifecycle } from './preview-lifecycle.js';
export { syncRepositories } from './sync-repositories.js';
export { listHostRepositories } from './list-host-repositories.js';
export { deliverNotification } from './deliver-notification.js';
export { pruneHistory } from './prune-history.js';
export { checkCertificates } from './check-certificates.js';
export { rotateSecretKeys } from './rotate-secret-keys.js';
export { intakeDeliveries } from './intake-deliveries.js';
export { drainHost } from './drain-host.js';
export { joinSwarm, leaveSwarm } from './swarm-membership.js';
