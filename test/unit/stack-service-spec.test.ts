import { describe, expect, test } from 'vitest';
import { buildServiceSpec, contentObjectName, serviceIdentity } from '../../activities/swarm/service-spec.js';
import { compileStack } from '../../src/compose/compile-stack.js';
import { LABEL, DOCKER_STACK_NAMESPACE } from '../../src/domain/labels.js';
import { serviceHosts, stackNamespace } from '../../src/domain/stack.js';
import type { Json } from '../support/json.js';

const { stack } = compileStack({
  compose: `
services:
  web:
    image: hello:1
    x-berth: { port: 8080, path: /healthz }
    secrets: [token]
  db:
    image: hello:1
    volumes: [data:/var/lib/data]
    deploy: { labels: { team: data }, restart_policy: { condition: on-failure, delay: 1s, max_attempts: 3 }, update_config: { order: stop-first }, resources: { limits: { memory: 64m, cpus: "0.5" } } }
volumes: { data: {} }
secrets: { token: { x-berth-variable: TOKEN } }
`,
  variables: { TOKEN: 't' },
  allowedBindPaths: [],
});
const namespace = stackNamespace('env_abc123');
const names = { secrets: { token: contentObjectName(namespace, 'token', 't') }, configs: {} };
const owner = { instance: 'test', appId: 'app_1', environmentId: 'env_abc123', namespace };
const ids = { networks: { default: 'net1' }, secrets: { token: { id: 'sec1', name: names.secrets.token } }, configs: {} };

describe('Swarm service specs of a stack', () => {
  test('exposed services are named by their spec hash (blue/green); others keep one name', () => {
    const web = serviceIdentity(namespace, stack.services.web!, 'sha256:aaa', names);
    const db = serviceIdentity(namespace, stack.services.db!, 'sha256:aaa', names);
    expect(namespace).toBe('berth-abc123');
    expect(web.name).toBe(`berth-abc123_web-${web.specHash}`);
    expect(db.name).toBe('berth-abc123_db');
  });

  test('the hash changes with the image or a secret’s content, and only then', () => {
    const a = serviceIdentity(namespace, stack.services.web!, 'sha256:aaa', names).specHash;
    expect(serviceIdentity(namespace, stack.services.web!, 'sha256:aaa', names).specHash).toBe(a);
    expect(serviceIdentity(namespace, stack.services.web!, 'sha256:bbb', names).specHash).not.toBe(a);
    const rotated = { secrets: { token: contentObjectName(namespace, 'token', 'new') }, configs: {} };
    expect(serviceIdentity(namespace, stack.services.web!, 'sha256:aaa', rotated).specHash).not.toBe(a);
  });

  test('labels, dnsrr, no published port, start-first unless asked, limits, namespaced volumes', () => {
    const service = stack.services.db!;
    const identity = serviceIdentity(namespace, service, 'sha256:aaa', names);
    const spec = buildServiceSpec({ owner, stack, service, image: 'sha256:aaa', identity, releaseId: 'rel_1', deploymentId: 'dep_1', localNodeId: 'n1', ids }) as Json;
    expect(spec.Labels).toMatchObject({
      [LABEL.managedBy]: 'berth',
      [LABEL.instance]: 'test',
      [LABEL.stack]: namespace,
      [DOCKER_STACK_NAMESPACE]: namespace,
      [LABEL.service]: 'db',
      [LABEL.specHash]: identity.specHash,
      [LABEL.release]: 'rel_1',
    });
    expect(spec.TaskTemplate.ContainerSpec.Labels[LABEL.specHash]).toBe(identity.specHash);
    expect(spec.Labels.team).toBe('data');
    expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: 'on-failure', Delay: 1e9, MaxAttempts: 3 });
    expect(spec.EndpointSpec).toEqual({ Mode: 'dnsrr' });
    expect(JSON.stringify(spec)).not.toMatch(/PublishedPort|"Ports"/);
    expect(spec.UpdateConfig.Order).toBe('stop-first');
    expect(spec.TaskTemplate.Resources.Limits).toEqual({ MemoryBytes: 64 * 1024 ** 2, NanoCPUs: 5e8 });
    expect(spec.TaskTemplate.ContainerSpec.Mounts[0]).toMatchObject({ Type: 'volume', Source: `${namespace}_data`, Target: '/var/lib/data' });
    expect(spec.TaskTemplate.Networks).toEqual([{ Target: 'net1', Aliases: ['db'] }]);
    const web = buildServiceSpec({ owner, stack, service: stack.services.web!, image: 'x', identity: serviceIdentity(namespace, stack.services.web!, 'x', names), releaseId: 'r', deploymentId: 'd', localNodeId: 'n1', ids }) as Json;
    expect(web.UpdateConfig.Order).toBe('start-first');
    expect(web.TaskTemplate.ContainerSpec.Secrets).toEqual([{ File: { Name: '/run/secrets/token', UID: '0', GID: '0', Mode: 0o444 }, SecretID: 'sec1', SecretName: names.secrets.token }]);
  });

  test('host names: the main exposed service answers on the environment’s hosts too', () => {
    const hosts = ['shop.prod.localhost', 'shop.example.com'];
    expect(serviceHosts('web', { port: 1, path: '/', main: true }, hosts)).toEqual(['shop.prod.localhost', 'shop.example.com', 'web.shop.prod.localhost']);
    expect(serviceHosts('admin', { port: 1, path: '/', main: false }, hosts)).toEqual(['admin.shop.prod.localhost']);
  });
});
