import { expect, test } from 'vitest';
import type { DeliveryPlan } from '../../activities/github/index.js';
import { orderKeys } from '../../workflows/handle-delivery.js';

const result = { app: 'shop', environment: 'prod', note: '' } as unknown as DeliveryPlan['notes'][number];
const target = { appId: 'app_1', number: 7 } as unknown as Extract<DeliveryPlan['actions'][number], { kind: 'preview' }>['target'];

test('deliveries that touch the same lane or preview are ordered; refusals order nothing', () => {
  const plan = {
    notes: [],
    outcome: null,
    message: '',
    actions: [
      { kind: 'deploy', result, request: { environmentId: 'env_a' } },
      { kind: 'preview', result, target, event: {} },
      { kind: 'preview-close', result, target, event: {} },
      { kind: 'sync', installationId: 1, uninstalled: false },
      { kind: 'refused', result, report: null },
    ],
  } as unknown as DeliveryPlan;
  expect(orderKeys(plan)).toEqual(['env:env_a', 'preview:app_1:7', 'preview:app_1:7', 'sync']);
  expect(orderKeys({ ...plan, actions: [] })).toEqual([]);
});
