// Route files in Traefik's watched directory, one per environment, named after the Berth
// instance that owns them (several instances may share one Traefik). Written atomically: a
// temporary file renamed over the real one. The temporary files and the saved previous routes
// live in a subdirectory (STATE_DIR): Traefik watches the directory itself, not its
// subdirectories, so a switch is one file event for it — the rename — rather than three, whose
// first started its reload throttle and held the route's own reload back (about 7 ms of a
// switch on a 2-core machine; docs/benchmarks.md#hot-standby).
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRouteConfig, routeFileName, routeFilePrefix, traefikRouteConfig, type RouteSpec } from '../../src/domain/route.js';

/** What a deployment's switch replaced, kept beside the route (an extension Traefik ignores). */
export interface SavedRoute {
  deploymentId: string;
  previous: RouteSpec | null;
}

export type RouteFiles = ReturnType<typeof createRouteFiles>;

/** Berth's own files beside the routes, out of Traefik's watch (the file provider skips their extensions when it loads). */
export const STATE_DIR = '.berth-state';

/** Where the route an environment's last switch replaced is kept. */
export function previousRoutePath(routesDir: string, instance: string, environmentId: string): string {
  return join(routesDir, STATE_DIR, `${routeFileName(instance, environmentId)}.previous`);
}

export function createRouteFiles(routesDir: string, instance: string) {
  const file = (environmentId: string) => join(routesDir, routeFileName(instance, environmentId));
  const previousFile = (environmentId: string) => previousRoutePath(routesDir, instance, environmentId);
  /** Where installations before STATE_DIR kept it: still read, so an upgrade keeps its switch-backs. */
  const formerPreviousFile = (environmentId: string) => join(routesDir, `.${routeFileName(instance, environmentId)}.previous`);
  // Made on every write (one cheap call): the routes directory may have been wiped meanwhile.
  const ensureStateDir = () => mkdir(join(routesDir, STATE_DIR), { recursive: true });

  return {
    async write(route: RouteSpec): Promise<void> {
      await ensureStateDir();
      const temp = join(routesDir, STATE_DIR, `${routeFileName(instance, route.environmentId)}.${randomBytes(4).toString('hex')}.tmp`);
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
      await rm(formerPreviousFile(environmentId), { force: true });
    },

    async savePrevious(environmentId: string, saved: SavedRoute): Promise<void> {
      await ensureStateDir();
      await writeFile(previousFile(environmentId), JSON.stringify(saved));
    },

    async readPrevious(environmentId: string): Promise<SavedRoute | null> {
      for (const path of [previousFile(environmentId), formerPreviousFile(environmentId)]) {
        try {
          return JSON.parse(await readFile(path, 'utf8')) as SavedRoute;
        } catch (err) {
          // Not there: the former place, then nothing. Unreadable: nothing (a stale former copy must not stand in).
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return null;
        }
      }
      return null;
    },

    /** Environment ids of every route file this instance has in the directory. */
    async list(): Promise<string[]> {
      const prefix = routeFilePrefix(instance);
      const names = await readdir(routesDir).catch(() => [] as string[]);
      return names.filter((n) => n.startsWith(prefix) && n.endsWith('.yml')).map((n) => n.slice(prefix.length, -'.yml'.length));
    },
  };
}
