// The registry builds go through when they run on another host than the one that runs them:
// BERTH_BUILD_REGISTRY names where Berth pushes (host[:port][/path]); the image is pulled on the
// placed host by digest, so what runs is exactly what was pushed, and a rollback pulls it again.
import { parseImageRef } from './image-ref.js';

export const BUILD_REGISTRY_EXPECTED = 'expected a registry address such as registry.internal:5000 or registry.internal:5000/berth';

/** Whether a BERTH_BUILD_REGISTRY value names a registry (host[:port][/path], no tag or digest). */
export function isBuildRegistry(value: string): boolean {
  const ref = parseImageRef(`${value}/probe`);
  return Boolean(ref && ref.domain && !ref.tag && !ref.digest && !value.endsWith('/'));
}

/** The repository an app's builds are pushed to: <registry>/<instance>/<app>. */
export function buildRepository(registry: string, instance: string, appName: string): string {
  return `${registry}/${instance}/${appName}`;
}

/** Where one deployment builds, and the repository its image is pushed to (null: it is not pushed). */
export interface BuildPlan {
  hostId: string;
  repository: string | null;
}
