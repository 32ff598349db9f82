// Every workflow type Berth registers. An export's name is its durable type name: public API.
export { environmentLane } from './environment-lane.js';
export { deployRelease } from './deploy-release.js';
export { rolloutStack } from './rollout-stack.js';
export { rolloutStackService } from './rollout-stack-service.js';
