// Where an app of kind git builds: a registered host, checked before anything is written, so a
// refused setting (unknown or draining host, no registry to carry the image) changes nothing.
import type { Db } from '../db/client.js';
import { getHost } from '../db/queries/hosts.js';
import type { Config } from '../src/config.js';
import { invalid } from './errors.js';

/** Refuses (400) a build host the image could not come from; null or absent (the placed host) always fits. */
export async function assertBuildHost(db: Db, config: Pick<Config, 'builds'>, hostId: string | null | undefined): Promise<void> {
  if (hostId == null) return;
  const path = 'git.buildHostId';
  // Without a registry an image never leaves the host that built it.
  if (!config.builds.registry) throw invalid('a build host needs a registry to carry the image to where it runs: set BERTH_BUILD_REGISTRY', [{ path, message: 'no registry configured' }]);
  const host = await getHost(db, hostId);
  if (!host) throw invalid(`host ${hostId} is not registered (berth hosts add, or start its worker)`, [{ path, message: 'no such host' }]);
  if (host.draining) throw invalid(`host ${hostId} is draining: it takes no new builds`, [{ path, message: 'host is draining' }]);
}
