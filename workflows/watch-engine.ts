// A watch verdict the engine's restart explains is no verdict: the restart stopped the
// previous release too, so going back to it would judge the release by the engine. The host
// says whether its engine restarted what the release runs since the watch began (image apps:
// docker/engine-restarts.ts; stacks: swarm/stack-engine-restart.ts); if so, the watch phase ends
// `skipped` with what the host found, and the release stays live.
import type { PhaseWrite } from '../src/domain/phases.js';
import type { DeployKind, Deployment } from './deployment-skeleton.js';

type WatchResult = Awaited<ReturnType<NonNullable<DeployKind['watch']>>>;

/** The watch's result, or a skipped watch when `engineRestart` (the host's finding) is not null. */
export async function dropVerdictOfEngine(deploy: Deployment, watched: WatchResult, engineRestart: string | null): Promise<WatchResult> {
  if (!engineRestart) return watched;
  const summary = `no verdict: ${engineRestart} during the watch (${watched.verdict}); the release stays live`;
  const ended: PhaseWrite[] = [{ phase: 'watch', outcome: 'skipped', message: `${summary}; ${watched.summary}`, at: Date.now() }];
  await deploy.store.recordPhases(deploy.report(ended));
  return { verdict: null, skipped: false, summary, phases: ended };
}
