// Route files in Traefik's watched directory, one per environment, named after the Berth
// instance that owns them (several instances may share one Traefik). Written atomically: a
// temporary file (which the file provider ignores by its extension) renamed over the real one.
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRouteConfig, routeFileName, routeFilePrefix, traefikRouteConfig, type RouteSpec } from '../../src/domain/route.js';

/** What a deployment's switch replaced, kept beside the route (an extension Traefik ignores). */
export interface SavedRoute {
  deploymentId: string;
  previous: RouteSpec | null;
}

export type RouteFiles = ReturnType<typeof createRouteFiles>;

export function createRouteFiles(routesDir: string, instance: string) {
  const file = (environmentId: string) => join(routesDir, routeFileName(instance, environmentId));
  const previousFile = (environmentId: string) => join(routesDir, `.${routeFileName(instance, environmentId)}.previous`);

  return {
    async write(route: RouteSpec): Promise<void> {
      const temp = join(routesDir, `.${routeFileName(instance, route.environmentId)}.${randomBytes(4).toString('hex')}.tmp`);
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(JSON.stringify(traefikRouteConfig(route), null, 2));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file(route.environmentId));
    },

    async read(environmentId: string): Promise<RouteSpec | null> {
      try {
        return parseRouteConfig(environmentId, await readFile(file(environmentId), 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },

    async remove(environmentId: string): Promise<void> {
      await rm(file(environmentId), { force: true });
      await rm(previousFile(environmentId), { force: true });
    },

    async savePrevious(environmentId: string, saved: SavedRoute): Promise<void> {
      await writeFile(previousFile(environmentId), JSON.stringify(saved));
    },

    async readPrevious(environmentId: string): Promise<SavedRoute | null> {
      try {
        return JSON.parse(await readFile(previousFile(environmentId), 'utf8')) as SavedRoute;
      } catch {
        return null;
      }
    },

    /** Environment ids of every route file this instance has in the directory. */
    async list(): Promise<string[]> {
      const prefix = routeFilePrefix(instance);
      const names = await readdir(routesDir).catch(() => [] as string[]);
      return names.filter((n) => n.startsWith(prefix) && n.endsWith('.yml')).map((n) => n.slice(prefix.length, -'.yml'.length));
    },
  };
}
