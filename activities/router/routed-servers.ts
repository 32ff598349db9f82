// What an environment's route file lists now: reconcile of a spread environment checks a host's
// replicas before they join the route (activities/reconcile/heal-containers.ts `routed`).
import { createRouteFiles } from './route-files.js';

export function createRoutedServers(routesDir: string, instance: string) {
  const files = createRouteFiles(routesDir, instance);
  return {
    /** The servers of the environment's route file, with the deployment that wrote it; null: no file. */
    async routedServers(input: { environmentId: string }): Promise<{ deploymentId: string; servers: string[] } | null> {
      const route = await files.read(input.environmentId);
      return route ? { deploymentId: route.deploymentId, servers: route.servers } : null;
    },
  };
}
