// The canary driver of an image deploy (src/domain/canary.ts), between the health gate and the
// switch to 100 %: each step gives the new release its weight on the environment's weighted
// Traefik service, then waits the step out as durable timers, a tick at a time, reading both
// versions' answers from Traefik's metrics after each tick. A verdict or an abort puts the
// stable route back (the undo pushed first) and fails the deployment with the reason; the last
// step, or a promote, hands over to the ordinary switch. A worker that dies mid-step replays to
// the same step and weight, and its timers keep their time. A stack's canary splits one route per
// exposed service (stack-strategies.ts) through the same steps: every route takes each step's
// weight, each is analysed on its own, and the first verdict aborts them all. An image's one
// route makes the same calls, in the same order, as before routes were a list.
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { canaryPlan, canaryVerdict, describeCanaryFigures, refuseCanaryAction, type CanaryAction, type CanarySettings, type CanaryState } from '../src/domain/canary.js';
import {
  abortCanaryUpdate,
  canaryStateQuery,
  pauseCanaryUpdate,
  promoteCanaryUpdate,
  resumeCanaryUpdate,
  type CanaryCommand,
} from '../src/domain/workflow-definitions.js';
import type { Deployment } from './deployment-skeleton.js';
import { settleAll } from './settle-all.js';

/** Marks histories whose image deploys may run a canary; older ones switched all at once. */
export const CANARY = 'canary';
/**
 * Time between two analyses: a thirtieth of the step, between 2 s and a minute, so that a step
 * adds about thirty timers and metric reads to the history whatever its length; a pause reads
 * once a minute (a day's pause stays well within Temporal's history limits).
 */
const TICK_MS = { min: 2000, max: 60_000, perStep: 30 };

/** One route a canary splits: an image's environment route, or a stack's exposed service's. */
export interface CanaryRoute {
  /** The route key: the environment's id for an image, serviceRouteKey(environment, service) for a stack. */
  routeKey: string;
  /** The new release's servers. */
  servers: string[];
  /** Names the route in the figures and the verdict when a canary splits several (a stack's service). */
  label?: string | undefined;
}

/** Runs the canary's steps; returns when it is to be promoted, throws CanaryAborted otherwise. */
export async function runCanary(deploy: Deployment, input: { routes: CanaryRoute[]; settings: CanarySettings }): Promise<void> {
  const { deploymentId } = deploy.request;
  const { settings } = input;
  const { phases, report, router, store } = deploy;
  const weights = canaryPlan(settings);
  const state: CanaryState = { step: 0, weights, weight: 0, paused: false, remainingMs: 0, outcome: 'running', reason: null, figures: null };

  /** An update's handler and validator: refused (nothing changes) when the action does not apply now. */
  const action = (name: CanaryAction, apply: (cmd: CanaryCommand) => void) => ({
    validator: (_cmd: CanaryCommand) => {
      const refused = refuseCanaryAction(state, name);
      if (refused) throw new Error(refused);
    },
    handler: (cmd: CanaryCommand) => {
      apply(cmd);
      return { ...state };
    },
  });
  const promote = action('promote', () => Object.assign(state, { outcome: 'promoting' }));
  const pause = action('pause', () => (state.paused = true));
  const resume = action('resume', () => (state.paused = false));
  const abort = action('abort', (cmd) => Object.assign(state, { outcome: 'aborted', reason: `aborted${cmd.by ? ` by ${cmd.by}` : ''}${cmd.reason ? `: ${cmd.reason}` : ''}` }));
  setHandler(promoteCanaryUpdate, promote.handler, { validator: promote.validator });
  setHandler(pauseCanaryUpdate, pause.handler, { validator: pause.validator });
  setHandler(resumeCanaryUpdate, resume.handler, { validator: resume.validator });
  setHandler(abortCanaryUpdate, abort.handler, { validator: abort.validator });
  setHandler(canaryStateQuery, () => ({ ...state }));
  const decided = () => state.outcome !== 'running';

  await store.recordPhases(report([phases.start('canary')]));
  // Pushed before the first weight moves: whatever ends the deployment before its commit puts
  // the stable route back first, then removes the canary's containers.
  deploy.undo(async () => {
    await settleAll(input.routes.map((r) => router.endCanary({ environmentId: r.routeKey, deploymentId })));
  });
  /** The routes split: a route with no stable release beside it (a first deploy, a new service) leaves at the first step. */
  let split = input.routes;
  for (let i = 0; i < weights.length && !decided(); i++) {
    const weight = weights[i] as number;
    deploy.progress(`canary step ${i + 1}/${weights.length}: ${weight} %`);
    const besides = await settleAll(
      split.map((r) => router.setCanaryWeight({ environmentId: r.routeKey, deploymentId, servers: r.servers, weight, header: settings.header, cookie: settings.cookie })),
    );
    split = split.filter((_, j) => besides[j]);
    // The state says a step once Traefik serves its weight.
    Object.assign(state, { step: i + 1, weight, remainingMs: settings.stepSeconds * 1000, figures: null });
    if (split.length === 0) {
      state.outcome = 'promoting';
      await store.recordPhases(report(phases.end('skipped', 'no stable release to run a canary beside')));
      return;
    }
    const baselines = (await Promise.all(split.map((r) => router.readCanaryMetrics({ environmentId: r.routeKey, since: null })))).map((read) => read.now);
    const tick = Math.min(TICK_MS.max, Math.max(TICK_MS.min, Math.round((settings.stepSeconds * 1000) / TICK_MS.perStep)));
    while (!decided() && (state.remainingMs > 0 || state.paused)) {
      const pausedAtStart = state.paused;
      const started = Date.now();
      // A durable timer: a tick of the step (or of the pause), cut short by an update. While
      // paused the step's time stands still; the analysis goes on.
      await condition(() => decided() || state.paused !== pausedAtStart, pausedAtStart ? TICK_MS.max : Math.max(1, Math.min(tick, state.remainingMs)));
      if (!pausedAtStart) state.remainingMs = Math.max(0, state.remainingMs - (Date.now() - started));
      if (decided() || !baselines.some(Boolean)) continue;
      const reads = await Promise.all(split.map((r, j) => (baselines[j] ? router.readCanaryMetrics({ environmentId: r.routeKey, since: baselines[j] }) : null)));
      const judged = split.flatMap((r, j) => {
        const figures = reads[j]?.figures;
        return figures ? [{ label: r.label ? `${r.label}: ` : '', figures, verdict: canaryVerdict(figures, settings) }] : [];
      });
      if (judged.length === 0) continue;
      state.figures = judged.map((r) => `${r.label}${describeCanaryFigures(r.figures)}`).join('; ');
      const verdict = judged.find((r) => r.verdict);
      if (verdict && !decided()) Object.assign(state, { outcome: 'aborted', reason: `analysis: ${verdict.label}${verdict.verdict}` });
    }
  }
  if (state.outcome === 'aborted') {
    const message = `canary aborted at step ${state.step}/${weights.length} (${state.weight} %): ${state.reason}${state.figures ? `; ${state.figures}` : ''}`;
    throw ApplicationFailure.nonRetryable(message, 'CanaryAborted');
  }
  const promoted = state.outcome === 'promoting';
  state.outcome = 'promoting';
  const how = promoted ? `promoted at step ${state.step}/${weights.length} (${state.weight} %)` : `passed ${weights.length} step(s) (${weights.join(', ')} %)`;
  await store.recordPhases(report(phases.end('succeeded', `${how}${state.figures ? `; last step: ${state.figures}` : ''}`)));
}
