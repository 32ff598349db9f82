// A stack's canary or blue-green (src/domain/stack-strategy.ts), behind the patch
// `stack-strategies`: the rollout held the exposed services' routes on the previous release
// (stack-scheduler.ts, holdRoute); the services that are not exposed were updated in place, as
// they are without a strategy. Then, for the exposed services of a new spec:
// - canary: every route weighted between the previous release's tasks (stable) and the new ones,
//   through the environment's steps with the image kind's analysis and updates (canary.ts);
// - blue-green: the new tasks answer on `next.<the service's first host name>`, verified through
//   Traefik, while every host name still leads to the previous release (blue-green.ts);
// and only then every held route is switched, confirmed as the rollout confirms it. An abort, a
// failed preview or a cancel before the switch is undone like any failure before the commit:
// the canaries' stable routes (or the previews) go first, then revert-stack.ts puts every
// touched service back — the previous release's exposed services never stopped serving.
import { log } from '@temporalio/workflow';
import { previewHost } from '../src/domain/blue-green.js';
import type { CanarySettings } from '../src/domain/canary.js';
import { serviceTls } from '../src/domain/https.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import { serviceHosts, serviceRouteKey, type StackPlan } from '../src/domain/stack.js';
import { strategyRoutes } from '../src/domain/stack-strategy.js';
import type { ServiceRolledOut } from '../src/domain/workflow-contracts.js';
import { runCanary } from './canary.js';
import type { Deployment } from './deployment-skeleton.js';
import { describeFailure } from './failure.js';
import { settleAll } from './settle-all.js';

/** Marks histories whose stack deployments may hold their routes for a canary or blue-green; older ones switched each service as it rolled out. */
export const STACK_STRATEGIES = 'stack-strategies';
/** Answers through Traefik, from this deployment, that must pass on a preview and after a switch (as a service's rollout). */
const VERIFY = { expectedStatus: 200, timeoutMs: 2000 };
const PREVIEW_ATTEMPTS = 3;
const SWITCH_ATTEMPTS = 2;

/** What a stack deploy carries of its strategy. */
export interface StackStrategy {
  canary: CanarySettings | null;
  blueGreen: boolean;
}

/** A held route: an exposed service's, with what its switch needs. */
interface HeldRoute {
  service: string;
  routeKey: string;
  hosts: string[];
  path: string;
  servers: string[];
  change: ServiceRolledOut['change'];
}

/** The held routes of the rollout's results (exposed services that have tasks). */
function heldRoutes(deploy: Deployment, plan: StackPlan, rolledOut: ServiceRolledOut[]): HeldRoute[] {
  const { environmentId, hosts } = deploy.request;
  return rolledOut.flatMap((r) => {
    const expose = plan.services[r.service]?.expose;
    if (!expose || !r.servers?.length) return [];
    return [{ service: r.service, routeKey: serviceRouteKey(environmentId, r.service), hosts: serviceHosts(r.service, expose, hosts), path: expose.path, servers: r.servers, change: r.change }];
  });
}

/** Runs the strategy on the held routes, then switches every one of them. */
export async function releaseHeldRoutes(deploy: Deployment, input: { plan: StackPlan; rolledOut: ServiceRolledOut[]; strategy: StackStrategy; rolloutEnd: string }): Promise<void> {
  const { phases, report, store } = deploy;
  const held = heldRoutes(deploy, input.plan, input.rolledOut);
  const moved = strategyRoutes(input.plan, held);
  // The rollout ends here: the strategy's phase follows it, and verify has nothing left to end.
  await store.recordPhases(report(phases.end('succeeded', input.rolloutEnd)));
  const none = 'no exposed service of a new spec with tasks';
  if (input.strategy.canary) {
    if (moved.length === 0) await store.recordPhases(report(phases.skip('canary', none)));
    else await runCanary(deploy, { routes: moved.map((h) => ({ routeKey: h.routeKey, servers: h.servers, label: h.service })), settings: input.strategy.canary });
  } else if (input.strategy.blueGreen) {
    if (moved.length === 0) await store.recordPhases(report(phases.skip('preview', none)));
    else await previewServices(deploy, moved);
  }
  await switchHeld(deploy, held);
  if (input.strategy.blueGreen) await endPreviews(deploy, moved);
}

/** Each moved service's new tasks answer on its preview host name through Traefik; the preview phase names them. */
async function previewServices(deploy: Deployment, moved: HeldRoute[]): Promise<void> {
  const { deploymentId } = deploy.request;
  const { phases, report, router, store } = deploy;
  deploy.progress(`previewing ${moved.map((h) => h.service).join(', ')}`);
  await store.recordPhases(report([phases.start('preview')]));
  // Pushed before any preview route is written: a failure removes every one of them.
  deploy.undo(async () => {
    await settleAll(moved.map((h) => router.removePreview({ environmentId: h.routeKey })));
  });
  const shown = await settleAll(
    moved.map(async (h) => {
      const host = previewHost(h.hosts) as string;
      await router.previewRelease({
        report: { deploymentId, service: h.service, phases: [{ phase: 'preview', outcome: 'running', at: Date.now() }] },
        environmentId: h.routeKey,
        deploymentId,
        host,
        servers: h.servers,
        verify: { path: h.path, attempts: PREVIEW_ATTEMPTS, ...VERIFY },
        // The environment's HTTPS when the service's own route has it (an uploaded certificate
        // serves the main service's names only); the activity keeps what the preview host name can have.
        tls: serviceTls(deploy.request.tls, h.hosts) ? deploy.request.tls : undefined,
      });
      return `${h.service} on ${host}`;
    }),
  );
  await store.recordPhases(report(phases.end('succeeded', `answered from the new release: ${shown.join(', ')}`)));
}

/** Switches every held route to its new tasks, confirmed through Traefik (the rollout's undo puts them back). */
async function switchHeld(deploy: Deployment, held: HeldRoute[]): Promise<void> {
  const { deploymentId, tls } = deploy.request;
  const { router } = deploy;
  deploy.progress('switching traffic');
  await settleAll(
    held.map(async (h) => {
      const running: PhaseWrite = { phase: 'route', outcome: 'running', at: Date.now() };
      await router.switchRoute({
        report: { deploymentId, service: h.service, phases: [running] },
        route: { environmentId: h.routeKey, deploymentId, hosts: h.hosts, servers: h.servers, tls: serviceTls(tls, h.hosts) },
        verify: { path: h.path, attempts: SWITCH_ATTEMPTS, ...VERIFY },
      });
    }),
  );
}

/** After the switch the previews are not needed; one not removed is logged and left to the prune. */
async function endPreviews(deploy: Deployment, moved: HeldRoute[]): Promise<void> {
  for (const h of moved) {
    try {
      await deploy.router.removePreview({ environmentId: h.routeKey });
    } catch (err) {
      log.warn('stack preview route not removed', { routeKey: h.routeKey, error: describeFailure(err).message });
    }
  }
}
