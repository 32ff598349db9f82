import { describe, expect, test } from 'vitest';
import { checkCompose } from '../../src/compose/compile-stack.js';
import { pinnedHosts } from '../../src/compose/placement.js';
import { buildServiceSpec, serviceIdentity } from '../../activities/swarm/service-spec.js';

const compile = (compose: string) => checkCompose({ compose, variables: {}, allowedBindPaths: [] });

const PLACED = `
services:
  web:
    image: hello:v1
    x-berth: { port: 8080, path: /healthz }
  api:
    image: hello:v1
    x-berth: { host: h2 }
    deploy:
      placement:
        constraints: ["node.role==worker", "node.labels.zone == a"]
        preferences: [{ spread: node.labels.zone }]
`;

describe('placing stack services', () => {
  test('x-berth.host and deploy.placement.constraints become Swarm constraints; preferences are warned about and dropped', () => {
    const r = compile(PLACED);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const api = r.compiled.stack.services.api;
    expect(api?.placement).toEqual(['node.role == worker', 'node.labels.zone == a', 'node.labels.berth.host == h2']);
    expect(api?.expose).toBeNull();
    expect(pinnedHosts(api?.placement ?? [])).toEqual(['h2']);
    expect(r.compiled.warnings.map((w) => w.path)).toContain('services.api.deploy.placement.preferences');
    // A service without placement has no key at all (earlier releases' spec hashes unchanged).
    expect('placement' in (r.compiled.stack.services.web ?? {})).toBe(false);
    const service = api as NonNullable<typeof api>;
    const names = { secrets: {}, configs: {} };
    const spec = buildServiceSpec({
      owner: { instance: 'i', appId: 'a', environmentId: 'e', namespace: 'ns' },
      stack: r.compiled.stack,
      service,
      image: 'hello:v1',
      identity: serviceIdentity('ns', service, 'hello:v1', names),
      releaseId: 'r',
      deploymentId: 'd',
      localNodeId: 'node1',
      ids: { networks: {}, secrets: {}, configs: {} },
    }) as { TaskTemplate: { Placement?: { Constraints: string[] } } };
    // Pinned to another host: the file's constraints only.
    expect(spec.TaskTemplate.Placement?.Constraints).toEqual(service.placement);
    // Pinned to no host: kept on the stack's own node, whatever nodes join later.
    const web = r.compiled.stack.services.web as NonNullable<typeof api>;
    const webSpec = buildServiceSpec({
      owner: { instance: 'i', appId: 'a', environmentId: 'e', namespace: 'ns' },
      stack: r.compiled.stack,
      service: web,
      image: 'hello:v1',
      identity: serviceIdentity('ns', web, 'hello:v1', names),
      releaseId: 'r',
      deploymentId: 'd',
      localNodeId: 'node1',
      ids: { networks: {}, secrets: {}, configs: {} },
    }) as { TaskTemplate: { Placement?: { Constraints: string[] } } };
    expect(webSpec.TaskTemplate.Placement?.Constraints).toEqual(['node.id == node1']);
  });

  test('an exposed service pinned to another host publishes its port there in host mode (the engine picks it); pinned to its own host, or unpinned, it publishes nothing', () => {
    const r = compile(`
services:
  web:
    image: hello:v1
    x-berth: { port: 8080, path: /healthz, host: h2 }
`);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const web = r.compiled.stack.services.web as NonNullable<(typeof r.compiled.stack.services)['web']>;
    const names = { secrets: {}, configs: {} };
    const identity = serviceIdentity('ns', web, 'hello:v1', names);
    const specOn = (localHostId: string) =>
      buildServiceSpec({
        owner: { instance: 'i', appId: 'a', environmentId: 'e', namespace: 'ns' },
        stack: r.compiled.stack,
        service: web,
        image: 'hello:v1',
        identity,
        releaseId: 'r',
        deploymentId: 'd',
        localNodeId: 'node1',
        localHostId,
        ids: { networks: {}, secrets: {}, configs: {} },
      }) as { EndpointSpec: unknown; Name: string };
    expect(specOn('h1').EndpointSpec).toEqual({ Mode: 'dnsrr', Ports: [{ Protocol: 'tcp', TargetPort: 8080, PublishMode: 'host' }] });
    expect(specOn('h2').EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(specOn('').EndpointSpec).toEqual({ Mode: 'dnsrr' });
    // Blue/green as any exposed service: a Swarm service per spec hash.
    expect(specOn('h1').Name).toBe(`ns_web-${identity.specHash}`);
  });

  test('a bad constraint or host id is a compose issue at its path', () => {
    const r = compile(`
services:
  api:
    image: hello:v1
    x-berth: { host: "H 2" }
    deploy:
      placement:
        constraints: ["node.labels.zone ~ a", "rm -rf /"]
`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path).sort()).toEqual(['services.api.deploy.placement.constraints.0', 'services.api.deploy.placement.constraints.1', 'services.api.x-berth.host']);
  });
});
