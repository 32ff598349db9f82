// What one stored delivery does, shared by the per-delivery workflow (receiveDelivery, kept for
// runs started before intake went per repository) and the per-repository intake
// (intakeDeliveries): plan what it means, then act — queue deploys in their environments' lanes,
// hand pull-request events to their previews' lifecycles, sync an installation — and record the
// outcome for the deliveries list. Deployment ids are minted here, deterministically, so a
// retried step asks for the same deployment again and the lane takes it once. The activity
// proxies are the caller's: the same commands in the same order for receiveDelivery as before.
import type { ControlActivities } from '../activities/index.js';
import type { DeliveryPlan } from '../activities/github/index.js';
import { mintId } from '../src/domain/ids.js';
import type { DeliveryResult } from '../src/domain/webhook-delivery.js';
import type { DeliveryHandled } from '../src/domain/workflow-contracts.js';
import { describeFailure } from './failure.js';

type Calls<K extends keyof ControlActivities> = Pick<ControlActivities, K>;
export interface DeliveryCalls {
  intake: Calls<'planDelivery' | 'recordForkPreview' | 'recordDeliveryOutcome'>;
  github: Calls<'syncRepositories' | 'reportRefusal'>;
  workflows: Calls<'submitDeploy' | 'signalPreview' | 'closePreview'>;
}

export async function handleDelivery(deliveryId: string, calls: DeliveryCalls): Promise<DeliveryHandled> {
  return actOnPlan(deliveryId, await calls.intake.planDelivery({ deliveryId }), calls);
}

/**
 * What a plan's actions touch, where their order matters: an environment's lane (the later push
 * must be queued last) or a pull request's preview. A repository's intake acts on deliveries
 * sharing a key one after another, in the order they arrived.
 */
export function orderKeys(plan: DeliveryPlan): string[] {
  return plan.actions.flatMap((a) =>
    a.kind === 'deploy' ? [`env:${a.request.environmentId}`] : a.kind === 'sync' ? ['sync'] : a.kind === 'refused' ? [] : [`preview:${a.target.appId}:${a.target.number}`],
  );
}

/** Acts on a delivery's plan and records the outcome. */
export async function actOnPlan(deliveryId: string, plan: DeliveryPlan, { intake, github, workflows }: DeliveryCalls): Promise<DeliveryHandled> {
  const results: DeliveryResult[] = [...plan.notes];
  let outcome = plan.outcome;
  let message = plan.message;
  const failures: string[] = [];
  let held = 0;
  let refused = 0;

  for (const action of plan.actions) {
    try {
      if (action.kind === 'sync') {
        const synced = await github.syncRepositories({ installationId: action.installationId, uninstalled: action.uninstalled });
        outcome = 'synced';
        message = `${message}: ${synced.skipped ?? `${synced.installations} installation(s), ${synced.repositories} repositories, ${synced.removed} removed`}`;
      } else if (action.kind === 'deploy') {
        const deploymentId = mintId('dep', Date.now(), Math.random);
        await workflows.submitDeploy({ request: { ...action.request, deploymentId, kind: 'deploy', trigger: `github:${deliveryId}` } });
        results.push({ ...action.result, deploymentId });
      } else if (action.kind === 'preview') {
        const deploymentId = mintId('dep', Date.now(), Math.random);
        // A fork's commit is recorded first (with who approved it, when this event is the approval).
        if (action.fork) await intake.recordForkPreview({ target: action.target, event: action.event, fork: action.fork, deploymentId });
        await workflows.signalPreview({ target: action.target, event: { ...action.event, deploymentId } });
        results.push({ ...action.result, deploymentId });
      } else if (action.kind === 'preview-hold') {
        await intake.recordForkPreview({ target: action.target, event: action.event, fork: action.fork, deploymentId: null });
        results.push(action.result);
        held++;
      } else if (action.kind === 'refused') {
        // Nothing was queued; the commit hears why (feedback that fails is noted, not fatal).
        results.push(action.result);
        refused++;
        if (action.report) await github.reportRefusal(action.report).catch((err: unknown) => failures.push(`commit status not reported: ${describeFailure(err).message}`));
      } else {
        const closed = await workflows.closePreview({ appId: action.target.appId, number: action.target.number, event: { ...action.event, deploymentId: null } });
        results.push({ ...action.result, note: closed.signalled ? action.result.note : 'no preview running' });
      }
    } catch (err) {
      const why = describeFailure(err).message;
      failures.push(why);
      if ('result' in action) results.push({ ...action.result, note: `failed: ${why}` });
    }
  }

  if (outcome === null) {
    const started = results.filter((r) => r.deploymentId).length;
    const closing = plan.actions.some((a) => a.kind === 'preview-close');
    outcome = (failures.length || refused) && started === 0 ? 'failed' : closing && started === 0 ? 'teardown' : held && started === 0 ? 'awaiting-approval' : 'deployed';
    message = started ? `started ${started} deployment(s)` : closing ? 'removing previews' : held ? `${held} fork pull request preview(s) waiting for approval` : message;
    if (refused) message = `${message ? `${message}; ` : ''}refused ${refused} deployment(s) before anything was queued: ${results.filter((r) => r.note.startsWith('refused')).map((r) => `${r.app}/${r.environment ?? '?'}: ${r.note}`).join('; ')}`;
  }
  if (failures.length) message = `${message}; ${failures.length} failed: ${failures.join('; ')}`;
  await intake.recordDeliveryOutcome({ deliveryId, outcome, message, results });
  return { outcome, results };
}
