// Activities that talk to one Docker engine. A different engine is a different client and
// task queue (berth.host.<id>), never a branch inside these functions.
export type { Endpoint, ContainerSummary } from './containers.js';
export type { ResolvedImage } from './images.js';
