// A stack's deployment on Docker Swarm. Its steps before the commit: resolve the release (pin
// images, make networks, secrets and configs), then roll out its services in dependency order
// (stack-scheduler.ts), each a child workflow that updates, health-gates and routes it. If one
// fails or the deployment is aborted, every service this rollout touched goes back as the live
// release runs it, routes included (revert-stack.ts), and the deployment ends failed naming the
// service. After the commit the replaced services drain and are pruned. A rollback is the same
// rollout of an earlier release; a teardown removes everything the stack owns
// (teardown-stack.ts). A git-backed stack first fetches the commit and builds its `build:`
// services (phase build), and reports to GitHub as git apps do (git-source.ts). The rollout is
// verified before the commit and watched after it (stack-verify-watch.ts). A canary or blue-green
// deploy holds the exposed services' routes through the rollout and moves them after it
// (stack-strategies.ts).
import { patched } from '@temporalio/workflow';
import type { ResolveStackInput } from '../activities/release/resolve-stack.js';
import type { DeployRequest, DeployResult } from '../src/domain/deployment.js';
import { releaseIdFor } from '../src/domain/ids.js';
import type { StackPlan } from '../src/domain/stack.js';
import { BUILD, LAUNCH, SWARM } from './activity-profiles.js';
import { runDeployment, type DeployKind } from './deployment-skeleton.js';
import { fetchCommit, withGitSource, type GitBuild } from './git-source.js';
import { revertStack } from './revert-stack.js';
import { rollOutServices, type HeldRoutes } from './stack-scheduler.js';
import { releaseHeldRoutes, STACK_STRATEGIES, type StackStrategy } from './stack-strategies.js';
import { rolloutOrder, switchBackStack, verifyStack, watchStack, type StackScope } from './stack-verify-watch.js';
import { teardownStack } from './teardown-stack.js';

export async function rolloutStack(request: DeployRequest): Promise<DeployResult> {
  if (request.kind === 'teardown') return teardownStack(request);
  return withGitSource(request, (git) => runDeployment(request, stackSteps(request, git)));
}

function stackSteps(request: DeployRequest, git: GitBuild | null): DeployKind {
  const { deploymentId, environmentId, appId } = request;
  /** The release's plan, once resolved: what the drain note and the prune need. */
  let plan: StackPlan | null = null;
  /** What verify, watch and the way back need, once the rollout started. */
  let scope: StackScope | null = null;
  return {
    async beforeCommit(deploy) {
      const { phases, report } = deploy;
      let checkout: ResolveStackInput['checkout'];
      let built: string | null = null;
      if (git) {
        deploy.progress('building from source');
        const sha = await fetchCommit(deploy, git);
        const images = await deploy.onHost(BUILD).buildStackImages({ deploymentId, appId, appName: request.appName, environmentId, sha });
        checkout = { sha, composePath: images.composePath, images: images.images };
        built = `${sha.slice(0, 12)}: ${images.builds.map((b) => `${b.service} in ${b.ms} ms (${b.cachedSteps} of ${b.steps} steps cached)`).join(', ') || 'nothing to build'}`;
      }
      deploy.progress('resolving the stack');
      const stack = await deploy.onHost(LAUNCH).resolveStack({
        report: report(phases.next('resolve', built), true),
        deploymentId,
        appId,
        environmentId,
        releaseId: request.kind === 'deploy' ? releaseIdFor(deploymentId) : undefined,
        rollbackTo: request.kind === 'rollback' ? request.releaseId : undefined,
        checkout,
      });
      deploy.releasing(stack.release.id);
      plan = stack.plan;
      // Requests carried no strategy for stacks before this patch: older histories never ask for it.
      const strategy: StackStrategy | null =
        request.kind === 'deploy' && (request.canary || request.blueGreen) && patched(STACK_STRATEGIES) ? { canary: request.canary ?? null, blueGreen: !request.canary && request.blueGreen === true } : null;
      await deploy.store.recordPhases(report(phases.next('rollout')));

      const touched: string[] = [];
      scope = { plan: stack.plan, touched, previousReleaseId: stack.liveReleaseId, previousDeploymentId: stack.liveDeploymentId ?? null };
      deploy.undo(revertStack(deploy, { touched, plan: stack.plan, liveReleaseId: stack.liveReleaseId }));
      const held: HeldRoutes | undefined = strategy ? { rolledOut: [] } : undefined;
      await rollOutServices(request, stack.plan, stack.release.id, touched, deploy.progress, held);
      if (strategy && held) {
        await releaseHeldRoutes(deploy, { plan: stack.plan, rolledOut: held.rolledOut, strategy, rolloutEnd: rolloutOrder(stack.release, stack.plan) });
      }
      return stack.release;
    },

    async verify(deploy, live) {
      await verifyStack(deploy, live, (scope as StackScope).plan);
    },

    async watch(deploy, live, settings) {
      return watchStack(deploy, live, scope as StackScope, settings);
    },

    async switchBack(deploy) {
      return switchBackStack(deploy, scope as StackScope);
    },

    // Ends the rollout phase, or (verified) nothing: verify ended it and itself.
    drain: (live) => rolloutOrder(live, plan as StackPlan),

    async afterCommit({ phases, report, router, onHost }, live) {
      const exposed = Object.values(plan?.services ?? {}).filter((s) => s.expose).map((s) => s.name);
      const note = await onHost(SWARM).pruneStack({ report: report(phases.next('prune')), appId, environmentId, liveReleaseId: live.id });
      await router.removeStackRoutes({ environmentId, keepServices: exposed });
      return note;
    },
  };
}
