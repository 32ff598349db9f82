// A watch verdict the engine's restart explains is no verdict: the restart stopped the
// previous release too, so going back to it would judge the release by the engine. The host
// says whether its engine restarted what the release runs since the watch began (image apps:
// docker/engine-restarts.ts; stacks: swarm/stack-engine-restart.ts); if so, the release stays
// live and its routes follow where it answers now (the engine started its containers or tasks
// again at addresses of its choosing; reconcile leaves an environment alone while a deployment
// runs, so the deployment does it), then the watch phase ends `skipped` with what was found.
import { isCancellation } from '@temporalio/workflow';
import type { PhaseWrite } from '../src/domain/phases.js';
import type { DeployKind, Deployment } from './deployment-skeleton.js';
import { describeFailure } from './failure.js';

type WatchResult = Awaited<ReturnType<NonNullable<DeployKind['watch']>>>;

/**
 * The watch's result, or a skipped watch when `engineRestart` (the host's finding) is not null;
 * `follow` (when given) points the routes at where the release answers now and says what it did.
 */
export async function dropVerdictOfEngine(deploy: Deployment, watched: WatchResult, engineRestart: string | null, follow?: () => Promise<string>): Promise<WatchResult> {
  if (!engineRestart) return watched;
  // A route that could not follow stays this release's; reconcile heals it once the deployment ends.
  const followed = follow
    ? `; ${await follow().catch((err: unknown) => {
        if (isCancellation(err)) throw err;
        return `its route could not follow it (${describeFailure(err).message}); reconcile heals it after this deployment`;
      })}`
    : '';
  const summary = `no verdict: ${engineRestart} during the watch (${watched.verdict}); the release stays live${followed}`;
  const ended: PhaseWrite[] = [{ phase: 'watch', outcome: 'skipped', message: `${summary}; ${watched.summary}`, at: Date.now() }];
  await deploy.store.recordPhases(deploy.report(ended));
  return { verdict: null, skipped: false, summary, phases: ended };
}
