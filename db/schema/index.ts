export * from './projects.js';
export * from './apps.js';
export * from './environments.js';
export * from './environment-variables.js';
export * from './releases.js';
export * from './deployments.js';
export * from './deployment-phases.js';
export * from './deployment-logs.js';
