// A worker's heartbeat for its host: every BERTH_HOST_HEARTBEAT_SECONDS it records in the
// database that the host is alive (and registers the host on its first beat). The API judges a
// host down when three beats are missed. A beat that fails (the database away) is logged and
// the next one tries again: the worker's deploys do not depend on it.
import { hostname } from 'node:os';
import type { Db } from '../../db/client.js';
import { recordHeartbeat } from '../../db/queries/hosts.js';
import type { Logger } from '../logger.js';

export interface HostHeartbeat {
  stop(): void;
}

export function startHostHeartbeat(deps: { db: Db; hostId: string; address: string; seconds: number; log: Logger }): HostHeartbeat {
  const beat = { id: deps.hostId, address: deps.address, seenBy: `${hostname()}:${process.pid}`, heartbeatSeconds: deps.seconds };
  let failing = false;
  const once = () =>
    recordHeartbeat(deps.db, beat).then(
      () => {
        if (failing) deps.log.info({ hostId: deps.hostId }, 'host heartbeat recorded again');
        failing = false;
      },
      (err: unknown) => {
        if (!failing) deps.log.warn({ hostId: deps.hostId, err: (err as Error).message }, 'host heartbeat not recorded');
        failing = true;
      },
    );
  void once();
  const timer = setInterval(() => void once(), deps.seconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
