// Vitest's global setup: start the shared services once per run and hand them to every file.
import type { TestProject } from 'vitest/node';
import { startSharedServices, type SharedServices } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    services: SharedServices;
  }
}

export default async function setup(project: TestProject) {
  const { services, stop } = await startSharedServices();
  project.provide('services', services);
  return stop;
}
