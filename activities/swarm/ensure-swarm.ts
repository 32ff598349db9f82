// Swarm mode on this host's engine: initialised once when the engine is in no Swarm — by
// default a single node that listens and advertises on loopback only; with
// BERTH_SWARM_ADVERTISE_ADDR on that private address, so other hosts can join it. An existing
// Swarm (of an operator, or one Berth made earlier) is left exactly as it is.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { Logger } from '../../src/logger.js';
import { DOCKER_GWBRIDGE } from './task-gate.js';
import { permanentFailure } from '../../src/errors.js';

import type { SwarmInit } from '../../src/config-shape.js';

export const SWARM_ADDRESS = '127.0.0.1';
/** Docker's own default VXLAN port. */
export const LOOPBACK_SWARM: SwarmInit = { advertiseAddress: SWARM_ADDRESS, dataPathPort: 4789 };

export interface SwarmState {
  nodeId: string;
  /** True when this call initialised it. */
  initialised: boolean;
}

type SwarmInfo = { Swarm?: { LocalNodeState?: string; NodeID?: string; ControlAvailable?: boolean } };

/**
 * An engine that has just restarted answers before its Swarm component has loaded, and says
 * "inactive" meanwhile: initialising then would make a second Swarm over the one it is loading
 * (and lose its services). So "inactive" is believed only once it has held a while — longer when
 * the engine has been in a Swarm before (its docker_gwbridge network outlives a restart).
 */
const CONFIRM_POLL_MS = 500;
const CONFIRM_MS = { fresh: 2_000, wasInSwarm: 20_000 };

async function swarmInfo(docker: Docker): Promise<SwarmInfo> {
  let info = (await docker.info()) as SwarmInfo;
  if ((info.Swarm?.LocalNodeState ?? 'inactive') !== 'inactive') return info;
  const wasInSwarm = (await docker.listNetworks({ filters: { name: [DOCKER_GWBRIDGE] } })).some((n) => n.Name === DOCKER_GWBRIDGE);
  const deadline = Date.now() + (wasInSwarm ? CONFIRM_MS.wasInSwarm : CONFIRM_MS.fresh);
  while (Date.now() < deadline) {
    await sleep(CONFIRM_POLL_MS);
    info = (await docker.info()) as SwarmInfo;
    if ((info.Swarm?.LocalNodeState ?? 'inactive') !== 'inactive') break;
  }
  return info;
}

export async function ensureSwarm(docker: Docker, log: Logger, init: SwarmInit = LOOPBACK_SWARM): Promise<SwarmState> {
  const info = await swarmInfo(docker);
  const state = info.Swarm?.LocalNodeState ?? 'inactive';
  if (state === 'active') {
    if (!info.Swarm?.ControlAvailable) throw permanentFailure('Unavailable', 'this engine is a Swarm worker, not a manager: Berth deploys stacks from a manager');
    return { nodeId: info.Swarm?.NodeID ?? '', initialised: false };
  }
  if (state !== 'inactive') throw permanentFailure('Unavailable', `the engine's Swarm is ${state}; Berth leaves it alone`);
  try {
    const address = init.advertiseAddress;
    await docker.swarmInit({ ListenAddr: `${address}:2377`, AdvertiseAddr: address, DataPathAddr: address, DataPathPort: init.dataPathPort });
  } catch (err) {
    // Two workers racing: the other one initialised it.
    if (!/already part of a swarm/i.test((err as Error).message)) throw err;
  }
  const after = (await docker.info()) as { Swarm?: { NodeID?: string } };
  log.info({ nodeId: after.Swarm?.NodeID, address: init.advertiseAddress }, 'swarm initialised');
  return { nodeId: after.Swarm?.NodeID ?? '', initialised: true };
}
