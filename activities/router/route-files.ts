// Route files in Traefik's watched directory, written atomically: a temporary file (which the
// file provider ignores by its extension) renamed over the real one.
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseRouteConfig, routeFileName, traefikRouteConfig, type RouteSpec } from '../../src/domain/route.js';

export async function writeRouteFile(routesDir: string, route: RouteSpec): Promise<void> {
  const final = join(routesDir, routeFileName(route.environmentId));
  const temp = join(routesDir, `.${routeFileName(route.environmentId)}.${randomBytes(4).toString('hex')}.tmp`);
  const file = await open(temp, 'w');
  try {
    await file.writeFile(JSON.stringify(traefikRouteConfig(route), null, 2));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temp, final);
}

export async function readRouteFile(routesDir: string, environmentId: string): Promise<RouteSpec | null> {
  try {
    return parseRouteConfig(environmentId, await readFile(join(routesDir, routeFileName(environmentId)), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** What a deployment's switch replaced, kept beside the route (an extension Traefik ignores). */
export interface SavedRoute {
  deploymentId: string;
  previous: RouteSpec | null;
}

export async function savePreviousRoute(routesDir: string, environmentId: string, saved: SavedRoute): Promise<void> {
  await writeFile(previousFile(routesDir, environmentId), JSON.stringify(saved));
}

export async function readPreviousRoute(routesDir: string, environmentId: string): Promise<SavedRoute | null> {
  try {
    return JSON.parse(await readFile(previousFile(routesDir, environmentId), 'utf8')) as SavedRoute;
  } catch {
    return null;
  }
}

function previousFile(routesDir: string, environmentId: string): string {
  return join(routesDir, `.${routeFileName(environmentId)}.previous`);
}

export async function removeRouteFile(routesDir: string, environmentId: string): Promise<void> {
  await rm(join(routesDir, routeFileName(environmentId)), { force: true });
  await rm(previousFile(routesDir, environmentId), { force: true });
}

/** Route keys (environment ids, or <environment>-<service> for stacks) with a file, by prefix. */
export async function listRouteKeys(routesDir: string, prefix: string): Promise<string[]> {
  const files = await readdir(routesDir).catch(() => [] as string[]);
  const head = routeFileName(prefix).replace(/\.yml$/, '');
  return files.filter((f) => f.startsWith(head) && f.endsWith('.yml')).map((f) => f.slice('env-'.length, -'.yml'.length));
}
