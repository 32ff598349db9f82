// Where an environment runs: a registered host that takes placements. Checked before anything
// is written, so a refused placement (unknown or draining host) changes nothing.
import type { Db } from '../db/client.js';
import { getHost } from '../db/queries/hosts.js';
import { spreadCandidates } from '../db/queries/spread-hosts.js';
import { chooseSpreadHosts, type SpreadSetting } from '../src/domain/spread.js';
import { invalid } from './errors.js';

/**
 * Refuses (400) a host that is not registered or is draining; null (the installation's own host)
 * always fits. A static site placed on another host is unpacked and served there (its worker runs
 * the static server: BERTH_STATIC_SERVE); stacks (published on the Swarm's loopback) run on the
 * installation's own host only, for now.
 */
export async function assertPlacement(db: Db, hostId: string | null | undefined, app: { kind: string }, ownHostId: string): Promise<void> {
  if (hostId == null) return;
  if (app.kind === 'stack' && hostId !== ownHostId) {
    throw invalid(`${app.kind} apps run on the installation's own host (${ownHostId}) only`, [{ path: 'hostId', message: `a ${app.kind} app cannot be placed on another host` }]);
  }
  const host = await getHost(db, hostId);
  if (!host) throw invalid(`host ${hostId} is not registered (berth hosts add, or start its worker)`, [{ path: 'hostId', message: 'no such host' }]);
  if (host.draining) throw invalid(`host ${hostId} is draining: it takes no new placement`, [{ path: 'hostId', message: 'host is draining' }]);
}

/**
 * Refuses (400) a spread for a static site or a stack (they run on one host), for a git app when
 * the installation has no registry (its image is built on one host and reaches the others only
 * through one), one naming an unregistered host, and one asking for more hosts than are eligible
 * now (alive, not draining, free capacity, the labels).
 */
export async function assertSpread(db: Db, spread: SpreadSetting | null | undefined, app: { kind: string }, ownHostId: string, registry: string | null): Promise<void> {
  if (spread == null) return;
  if (app.kind === 'git' && !registry) {
    throw invalid("a git app's image is built on one host and reaches no other without a registry: set BERTH_BUILD_REGISTRY to spread it", [{ path: 'spread', message: 'no registry configured' }]);
  }
  if (app.kind !== 'image' && app.kind !== 'git') {
    throw invalid(`${app.kind} apps run on one host: only image and git apps spread over several`, [{ path: 'spread', message: `a ${app.kind} app cannot be spread` }]);
  }
  const chosen = chooseSpreadHosts(spread, await spreadCandidates(db, ownHostId));
  if ('refused' in chosen) throw invalid(`cannot spread: ${chosen.refused}`, [{ path: 'spread', message: chosen.refused }]);
}
