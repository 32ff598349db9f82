// The blue-green driver of an image deploy (src/domain/blue-green.ts), between the health gate
// and the switch: the new release answers through Traefik on its preview host name, healthy,
// while every host name of the environment still leads to the live release; only then does the
// deploy go on to its one switch. The preview's undo is pushed before its route is written, so
// a failed preview (or anything failing before the commit) removes it, then the new containers;
// the live release never stopped serving.
import { ApplicationFailure, log } from '@temporalio/workflow';
import { previewHost } from '../src/domain/blue-green.js';
import type { HealthCheck } from '../src/domain/app-spec.js';
import type { Deployment } from './deployment-skeleton.js';
import { describeFailure } from './failure.js';

/** Marks histories whose image deploys may run blue-green; older ones had no such strategy. */
export const BLUE_GREEN = 'blue-green';
/** Answers in a row, on the preview host name, that must pass before the switch. */
const PREVIEW_ATTEMPTS = 3;

/** Runs the preview; returns when the new release answered on its host name, throws otherwise. */
export async function runBlueGreen(deploy: Deployment, input: { servers: string[]; check: HealthCheck }): Promise<void> {
  const { environmentId, deploymentId, hosts } = deploy.request;
  const { phases, report, router } = deploy;
  const host = previewHost(hosts);
  if (!host) throw ApplicationFailure.nonRetryable(`environment ${environmentId} has no host name to preview a blue-green release on`, 'BlueGreenFailed');
  deploy.progress(`previewing on ${host}`);
  deploy.undo(async () => {
    await router.removePreview({ environmentId });
  });
  const { check } = input;
  const previewed = await router.previewRelease({
    report: report([phases.start('preview')]),
    environmentId,
    deploymentId,
    host,
    servers: input.servers,
    verify: { path: check.path, expectedStatus: check.expectedStatus, attempts: PREVIEW_ATTEMPTS, timeoutMs: check.timeoutMs },
    // Data for the activity, not a command: histories recorded without it replay unchanged.
    tls: deploy.request.tls,
  });
  phases.apply(previewed.phases);
}

/**
 * After the switch: the preview host name is no longer needed (every host name leads to the
 * release). Traffic has moved by now, so a preview route that could not be removed is logged and
 * left, never taken for a failed switch: an image's leads to the live release; a static site's is
 * pinned to its release, and the environment's next reconcile removes it (activities/static/heal-site.ts).
 */
export async function endPreview(deploy: Deployment): Promise<void> {
  try {
    await deploy.router.removePreview({ environmentId: deploy.request.environmentId });
  } catch (err) {
    log.warn('blue-green preview route not removed', { environmentId: deploy.request.environmentId, error: describeFailure(err).message });
  }
}
