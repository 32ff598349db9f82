// Swarm mode on this host's engine: initialised once, as a single node that listens and
// advertises on loopback only, when the engine is in no Swarm; an existing Swarm (of an
// operator, or one Berth made earlier) is left exactly as it is.
import type Docker from 'dockerode';
import type { Logger } from '../../src/logger.js';
import { permanentFailure } from '../../src/errors.js';

export const SWARM_ADDRESS = '127.0.0.1';

export interface SwarmState {
  nodeId: string;
  /** True when this call initialised it. */
  initialised: boolean;
}

export async function ensureSwarm(docker: Docker, log: Logger): Promise<SwarmState> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean } };
  const state = info.Swarm?.LocalNodeState ?? 'inactive';
  if (state === 'active') {
    if (!info.Swarm?.ControlAvailable) throw permanentFailure('Unavailable', 'this engine is a Swarm worker, not a manager: Berth deploys stacks from a manager');
    return { nodeId: info.Swarm?.NodeID ?? '', initialised: false };
  }
  if (state !== 'inactive') throw permanentFailure('Unavailable', `the engine's Swarm is ${state}; Berth leaves it alone`);
  try {
    await docker.swarmInit({ ListenAddr: `${SWARM_ADDRESS}:2377`, AdvertiseAddr: SWARM_ADDRESS });
  } catch (err) {
    // Two workers racing: the other one initialised it.
    if (!/already part of a swarm/i.test((err as Error).message)) throw err;
  }
  const after = (await docker.info()) as { Swarm?: { NodeID?: string } };
  log.info({ nodeId: after.Swarm?.NodeID }, 'swarm initialised');
  return { nodeId: after.Swarm?.NodeID ?? '', initialised: true };
}
