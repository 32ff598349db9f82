// docker_gwbridge of a host joining the Swarm, made by Berth before the join so that ports its
// tasks publish in Swarm host mode bind to the host's private address only. Host-mode publishing
// has no host-IP field: the bridge driver binds to the network's default binding address, the
// option com.docker.network.bridge.host_binding_ipv4, which defaults to 0.0.0.0 (every
// interface, the public one too). The engine makes docker_gwbridge itself on joining only when
// none exists, and the network cannot change while the engine is in a Swarm (docs/operations.md).
import { isIPv4 } from 'node:net';
import type Docker from 'dockerode';
import { permanentFailure } from '../../src/errors.js';
import { DOCKER_GWBRIDGE } from './task-gate.js';

export const HOST_BINDING_OPTION = 'com.docker.network.bridge.host_binding_ipv4';

/** Docker's options for a custom docker_gwbridge, with the binding address. */
export function gatewayBridgeOptions(address: string): Record<string, string> {
  return {
    'com.docker.network.bridge.name': DOCKER_GWBRIDGE,
    'com.docker.network.bridge.enable_icc': 'false',
    'com.docker.network.bridge.enable_ip_masquerade': 'true',
    [HOST_BINDING_OPTION]: address,
  };
}

/** The binding address of the engine's docker_gwbridge ('' when it has none; null when there is no such network). */
export async function gatewayBinding(docker: Docker): Promise<string | null> {
  const found = (await docker.listNetworks({ filters: { name: [DOCKER_GWBRIDGE] } })).find((n) => n.Name === DOCKER_GWBRIDGE);
  if (!found) return null;
  return found.Options?.[HOST_BINDING_OPTION] ?? '';
}

/**
 * Makes docker_gwbridge bind published ports to `address`. An engine outside any Swarm has
 * no task on it, so a bridge without that binding is removed and made again; in a Swarm the
 * bridge is in use and cannot change: refused, so no exposed service is published there on
 * every interface.
 */
export async function ensureGatewayBridge(docker: Docker, address: string, inSwarm: boolean, hostId: string): Promise<'kept' | 'created' | 'recreated'> {
  // host_binding_ipv4 takes an IPv4 address only; Berth does not publish over IPv6 (docs/operations.md).
  if (!isIPv4(address)) throw permanentFailure('Conflict', `host ${hostId}'s address ${address} is not an IPv4 address: Swarm tasks publish on an IPv4 private address only`);
  const binding = await gatewayBinding(docker);
  if (binding === address) return 'kept';
  if (binding !== null) {
    if (inSwarm) {
      throw permanentFailure(
        'Conflict',
        `host ${hostId}'s engine is in the Swarm with ${DOCKER_GWBRIDGE} publishing on ${binding || '0.0.0.0'}, not its private address ${address}: Berth does not publish exposed services there; make the engine leave the Swarm (docker swarm leave) and join it again through POST /hosts/${hostId}/swarm`,
      );
    }
    await docker.getNetwork(DOCKER_GWBRIDGE).remove();
  }
  await docker.createNetwork({ Name: DOCKER_GWBRIDGE, Driver: 'bridge', CheckDuplicate: true, Options: gatewayBridgeOptions(address) });
  return binding === null ? 'created' : 'recreated';
}
