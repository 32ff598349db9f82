// The installation's own worker, whose engine is the Swarm's manager, records on every
// heartbeat how the manager sees each host's node (id, ready/down, availability), so GET /hosts
// shows it without the API calling Docker. Rows are written only when something changed. An
// engine in no Swarm (or a worker node) records nothing: what was last seen stays.
import type Docker from 'dockerode';
import type { Db } from '../../db/client.js';
import { recordHostSwarms } from '../../db/queries/hosts.js';
import { readHostNodes } from '../../activities/swarm/swarm-membership.js';
import type { Logger } from '../logger.js';

export function startSwarmNodeRecord(deps: { db: Db; docker: Docker; seconds: number; log: Logger }): { stop(): void } {
  let failing = false;
  const once = async () => {
    const info = (await deps.docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
    if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) return;
    await recordHostSwarms(deps.db, await readHostNodes(deps.docker));
  };
  const timer = setInterval(
    () =>
      void once().then(
        () => (failing = false),
        (err: unknown) => {
          if (!failing) deps.log.warn({ err: (err as Error).message }, 'swarm nodes not recorded');
          failing = true;
        },
      ),
    deps.seconds * 1000,
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
