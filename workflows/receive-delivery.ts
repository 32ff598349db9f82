// The intake of one GitHub delivery (workflow id delivery-<delivery id>, so a redelivery never
// runs twice). Deliveries now go to their repository's intake workflow (intake-deliveries.ts);
// this type stays registered, unchanged in what it does, for runs started before.
import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/index.js';
import type { DeliveryHandled, DeliveryInput } from '../src/domain/workflow-contracts.js';
import { GITHUB, INTAKE, WORKFLOW_CALLS } from './activity-profiles.js';
import { handleDelivery } from './handle-delivery.js';

export async function receiveDelivery({ deliveryId }: DeliveryInput): Promise<DeliveryHandled> {
  return handleDelivery(deliveryId, {
    intake: proxyActivities<ControlActivities>(INTAKE),
    github: proxyActivities<ControlActivities>(GITHUB),
    workflows: proxyActivities<ControlActivities>(WORKFLOW_CALLS),
  });
}
