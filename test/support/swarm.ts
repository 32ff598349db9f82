// Swarm objects of one test Berth (by its instance label), and Swarm's own view of them.
import type Docker from 'dockerode';
import { labelFilter } from '../../src/domain/labels.js';

/** Removes this instance's Swarm services, then its networks, secrets, configs and volumes. */
export async function removeSwarmObjects(docker: Docker, instance: string): Promise<void> {
  const info = (await docker.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean } };
  if (info.Swarm?.LocalNodeState !== 'active' || !info.Swarm.ControlAvailable) return;
  const filters = { label: labelFilter(instance) };
  for (const s of await docker.listServices({ filters })) await docker.getService(s.ID).remove().catch(() => {});
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await docker.listContainers({ all: true, filters: { label: [...labelFilter(instance), 'com.docker.swarm.service.name'] } })).length) {
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => {});
  for (const s of await docker.listSecrets({ filters })) await docker.getSecret(s.ID).remove().catch(() => {});
  for (const c of await docker.listConfigs({ filters })) await docker.getConfig(c.ID).remove().catch(() => {});
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => {});
}

export interface SwarmObjects {
  services: { name: string; image: string; labels: Record<string, string> }[];
  networks: string[];
  secrets: string[];
  configs: string[];
  volumes: string[];
}

/** What Swarm holds of one instance (optionally with more labels). */
export async function swarmObjects(docker: Docker, instance: string, extra: Record<string, string> = {}): Promise<SwarmObjects> {
  const filters = { label: labelFilter(instance, extra) };
  const services = (await docker.listServices({ filters })) as { Spec?: { Name?: string; Labels?: Record<string, string>; TaskTemplate?: { ContainerSpec?: { Image?: string } } } }[];
  return {
    services: services.map((s) => ({ name: s.Spec?.Name ?? '', image: s.Spec?.TaskTemplate?.ContainerSpec?.Image ?? '', labels: s.Spec?.Labels ?? {} })).sort((a, b) => a.name.localeCompare(b.name)),
    networks: (await docker.listNetworks({ filters })).map((n) => n.Name).sort(),
    secrets: (await docker.listSecrets({ filters })).map((s) => s.Spec?.Name ?? '').sort(),
    configs: (await docker.listConfigs({ filters })).map((c) => c.Spec?.Name ?? '').sort(),
    volumes: ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name).sort(),
  };
}
