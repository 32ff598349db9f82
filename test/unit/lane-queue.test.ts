import { describe, expect, test } from 'vitest';
import type { DeployRequest, QueuePolicy } from '../../src/domain/deployment.js';
import { coalesce, type Queued } from '../../src/domain/lane-queue.js';

const req = (id: string, queuePolicy: QueuePolicy = 'latest-wins'): DeployRequest => ({
  deploymentId: id,
  kind: 'deploy',
  appKind: 'image',
  appId: 'app_1',
  appName: 'a',
  environmentId: 'env_1',
  environmentName: 'e',
  trigger: 'api',
  image: 'x',
  queuePolicy,
  cancelSuperseded: false,
  retention: 5,
  drainSeconds: 0,
  hosts: ['a.e.localhost'],
  hostId: 'local',
});
const q = (seq: number, id: string, p?: QueuePolicy): Queued => ({ seq, request: req(id, p) });

describe('coalesce', () => {
  test('latest-wins keeps only the newest waiting request', () => {
    const d = coalesce([q(1, 'a'), q(2, 'b')], q(3, 'c'));
    expect(d.queued.map((x) => x.request.deploymentId)).toEqual(['c']);
    expect(d.superseded).toEqual(['a', 'b']);
    expect(d.winner).toBe('c');
  });

  test('a request that arrives after a newer one was queued loses to it', () => {
    const d = coalesce([q(5, 'newer')], q(4, 'older'));
    expect(d.queued.map((x) => x.request.deploymentId)).toEqual(['newer']);
    expect(d.superseded).toEqual(['older']);
    expect(d.winner).toBe('newer');
  });

  test('fifo keeps every request in arrival order', () => {
    const d = coalesce([q(1, 'a', 'fifo'), q(3, 'c', 'fifo')], q(2, 'b', 'fifo'));
    expect(d.queued.map((x) => x.request.deploymentId)).toEqual(['a', 'b', 'c']);
    expect(d.superseded).toEqual([]);
  });

  test('an empty queue just takes the request', () => {
    expect(coalesce([], q(1, 'a'))).toEqual({ queued: [q(1, 'a')], superseded: [], winner: 'a' });
  });
});
