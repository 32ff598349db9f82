// Which of a stack's services a canary or blue-green moves, and when a stack cannot run one.
import { expect, test } from 'vitest';
import type { ServicePlan, StackExpose, StackPlan } from '../../src/domain/stack.js';
import { refuseStackStrategy, strategyRoutes, strategyServices } from '../../src/domain/stack-strategy.js';

const service = (name: string, over: Partial<ServicePlan> = {}): ServicePlan => ({ name, level: 0, dependsOn: [], completes: false, hasHealthcheck: false, expose: null, replicas: 1, ...over });
const exposed: StackExpose = { port: 8080, path: '/', main: false };
const plan = (...services: ServicePlan[]): StackPlan => ({ levels: [services.map((s) => s.name)], services: Object.fromEntries(services.map((s) => [s.name, s])) });

test('long-running exposed services with replicas are moved; workers, one-shots and services at 0 are not', () => {
  const p = plan(service('web', { expose: exposed }), service('api', { expose: exposed }), service('worker'), service('migrate', { expose: exposed, completes: true }), service('idle', { expose: exposed, replicas: 0 }));
  expect(strategyServices(p)).toEqual(['api', 'web']);
  expect(refuseStackStrategy(p, 'canary')).toBeNull();
});

test('a stack with nothing exposed (or only one-shots and services at 0) refuses both strategies', () => {
  for (const p of [plan(service('worker')), plan(service('idle', { expose: exposed, replicas: 0 }), service('migrate', { expose: exposed, completes: true }))]) {
    expect(refuseStackStrategy(p, 'canary')).toMatch(/^canary moves the traffic of exposed services, and this stack has no long-running exposed service/);
    expect(refuseStackStrategy(p, 'blue-green')).toMatch(/^blue-green moves/);
  }
});

test('only a new Swarm service with tasks is split or previewed; an unchanged one is switched as it is', () => {
  const p = plan(service('web', { expose: exposed }), service('api', { expose: exposed }), service('admin', { expose: exposed }));
  const held = [
    { service: 'web', change: 'created' as const, servers: ['http://10.0.0.2:8080'] },
    { service: 'api', change: 'unchanged' as const, servers: ['http://10.0.0.3:8080'] },
    { service: 'admin', change: 'created' as const, servers: [] },
  ];
  expect(strategyRoutes(p, held).map((h) => h.service)).toEqual(['web']);
});
