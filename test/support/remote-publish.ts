// What an exposed stack service pinned to another host (a SecondDockerHost) publishes there, and
// what Traefik's route files send to that host: for tests of services placed off Berth's host.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { expect } from 'vitest';
import type { SecondDockerHost } from './second-docker-host.js';

/** The route files Traefik loads: the directory's own files (Berth keeps its state in a subdirectory). */
function routeFiles(dir: string): string[] {
  return readdirSync(dir).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

/** The servers at `address` that the route files in `routesDir` name, sorted. */
export function routedTo(routesDir: string, address: string): string[] {
  const text = routeFiles(routesDir).map((f) => readFileSync(f, 'utf8')).join('\n');
  const pattern = new RegExp(`http://${address.replace(/\./g, '\\.')}:\\d+`, 'g');
  return [...new Set(text.match(pattern) ?? [])].sort();
}

/**
 * The containers of a stack service on the host, with the URL each publishes `port` at. Asserts
 * the port is published on the host's private address only — in the engine's view
 * (NetworkSettings.Ports' HostIp) and in the kernel's (`ss -ltn` in its namespace: no 0.0.0.0,
 * `*` or `[::]` listener on it).
 */
export function publishedOn(host: SecondDockerHost, service: string, port: number): { id: string; url: string }[] {
  const ids = host.docker('ps', '-q', '--filter', `label=berth.stack.service=${service}`).trim().split('\n').filter(Boolean);
  const listening = execFileSync('ip', ['netns', 'exec', host.netns, 'ss', '-ltnH']).toString();
  return ids.map((id) => {
    const ports = JSON.parse(host.docker('inspect', '-f', '{{json .NetworkSettings.Ports}}', id)) as Record<string, { HostIp: string; HostPort: string }[] | null>;
    const bound = ports[`${port}/tcp`] ?? [];
    expect(bound.map((b) => b.HostIp)).toEqual([host.address]);
    const published = bound[0]?.HostPort as string;
    expect(listening).toContain(`${host.address}:${published} `);
    expect(listening).not.toMatch(new RegExp(`(0\\.0\\.0\\.0|\\*|\\[::\\]):${published}\\s`));
    return { id, url: `http://${host.address}:${published}` };
  });
}

/** The nodes running a stack service's tasks: "manager" (Berth's own), else the node's berth.host label; sorted. */
export async function nodesRunning(manager: Docker, service: string): Promise<string[]> {
  const nodes = (await manager.listNodes()) as { ID: string; Spec?: { Labels?: Record<string, string>; Role?: string } }[];
  const tasks = (await manager.listTasks({ filters: { label: [`berth.stack.service=${service}`], 'desired-state': ['running'] } })) as { NodeID: string; Status?: { State?: string } }[];
  return tasks
    .filter((t) => t.Status?.State === 'running')
    .map((t) => nodes.find((n) => n.ID === t.NodeID))
    .map((n) => (n?.Spec?.Role === 'manager' ? 'manager' : (n?.Spec?.Labels?.['berth.host'] ?? '?')))
    .sort();
}
