// A stack deployment (apps of kind stack): resolve the release (compose compiled, images
// pinned, Swarm objects ready), then roll its services out level by level of the depends_on
// graph — the services of a level in parallel, each a child workflow gated on its tasks and
// health and routed when exposed. Any failure or cancellation before the last level is done puts
// every service this rollout touched back as the live release runs it, routes included, and
// the deployment ends failed naming the service. Once all are live the release is committed,
// the replaced services drain and are pruned. A rollback is the same rollout of an earlier
// release; a teardown removes everything the stack owns. A git-backed stack first fetches the
// commit and builds its `build:` services (phase build), reports to GitHub as git apps do, and
// its checkout goes when it ends.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  executeChild,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { ResolvedStack, ResolveStackInput } from '../activities/release/resolve-stack.js';
import type { DeployRequest, DeployResult, DeploymentStatus, GitSource } from '../src/domain/deployment.js';
import { releaseIdFor } from '../src/domain/ids.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import { serviceTls } from '../src/domain/https.js';
import { serviceHosts, serviceRouteKey, type ServicePlan, type StackPlan } from '../src/domain/stack.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { deployProgressQuery, serviceStartedSignal } from '../src/domain/workflow-definitions.js';
import { stackServiceWorkflowId } from '../src/domain/workflow-ids.js';
import { BUILD, DOCKER, LAUNCH, ROUTER, STORE, SWARM } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import { gitFeedback, type GitFeedback } from './git-feedback.js';
import { endingOf } from './abandon-deployment.js';
import { PhaseTracker } from './phase-tracker.js';
import { PointOfNoReturn } from './point-of-no-return.js';
import { rolloutStackService } from './rollout-stack-service.js';

export async function rolloutStack(request: DeployRequest): Promise<DeployResult> {
  if (request.kind === 'teardown') return teardownStack(request);
  if (request.kind !== 'deploy' || !request.source) return rolloutRelease(request, null);
  const source = { source: request.source, feedback: gitFeedback(request, request.source) };
  let result: DeployResult | null = null;
  try {
    result = await rolloutRelease(request, source);
    return result;
  } finally {
    // Whatever the outcome, the deployment's checkout goes when it ends; then GitHub hears it.
    const host = proxyActivities<HostActivities>({ ...DOCKER, taskQueue: hostTaskQueue(request.hostId) });
    await CancellationScope.nonCancellable(async () => {
      await host.discardWorkspace({ deploymentId: request.deploymentId }).catch(() => undefined);
      if (result) await source.feedback.finished(result);
    });
  }
}

/** Resolves and rolls out a release (built from `git.source` first, for a git-backed stack). */
async function rolloutRelease(request: DeployRequest, git: { source: GitSource; feedback: GitFeedback } | null): Promise<DeployResult> {
  const { deploymentId, environmentId, appId } = request;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const router = proxyActivities<ControlActivities>(ROUTER);
  const onHost = { taskQueue: hostTaskQueue(request.hostId) };
  const swarm = proxyActivities<HostActivities>({ ...SWARM, ...onHost });
  const resolver = proxyActivities<HostActivities>({ ...LAUNCH, ...onHost });

  const phases = new PhaseTracker();
  const report = (writes: PhaseWrite[], running = false) => ({ deploymentId, phases: writes, running });
  let status: DeploymentStatus = 'running';
  let release = null as { id: string; number: number } | null;
  let plan = null as StackPlan | null;
  let liveReleaseId = null as string | null;
  /** Services whose rollout started: what a failure puts back. */
  const touched: string[] = [];
  const noReturn = new PointOfNoReturn();

  setHandler(deployProgressQuery, () => ({ deploymentId, status, releaseId: release?.id ?? null, phases: phases.snapshot() }));
  const progress = (text: string) => setCurrentDetails(`${request.appName}/${request.environmentName}: ${text}`);

  phases.start('queued');
  let resolved: ResolvedStack;
  try {
    resolved = await noReturn.beforeCommit.run(async () => {
      let checkout: ResolveStackInput['checkout'];
      let built: string | null = null;
      if (git) {
        progress('building from source');
        const builder = proxyActivities<HostActivities>({ ...BUILD, ...onHost });
        if (git.source.sha) git.feedback.started(git.source.sha);
        const { sha } = await builder.fetchSource({ report: report(phases.next('build'), true), deploymentId, appId, source: git.source });
        git.feedback.started(sha);
        const images = await builder.buildStackImages({ deploymentId, appId, appName: request.appName, environmentId, sha });
        checkout = { sha, composePath: images.composePath, images: images.images };
        built = `${sha.slice(0, 12)}: ${images.builds.map((b) => `${b.service} in ${b.ms} ms (${b.cachedSteps} of ${b.steps} steps cached)`).join(', ') || 'nothing to build'}`;
      }
      progress('resolving the stack');
      const stack = await resolver.resolveStack({
        report: report(phases.next('resolve', built), true),
        deploymentId,
        appId,
        environmentId,
        releaseId: request.kind === 'deploy' ? releaseIdFor(deploymentId) : undefined,
        rollbackTo: request.kind === 'rollback' ? request.releaseId : undefined,
        checkout,
      });
      release = stack.release;
      plan = stack.plan;
      liveReleaseId = stack.liveReleaseId;
      await store.recordPhases(report(phases.next('rollout')));

      await rolloutServices(request, stack.plan, stack.release.id, touched, progress);
      noReturn.commit();
      await store.markLive({ environmentId, releaseId: stack.release.id, deploymentId });
      return stack;
    });
  } catch (err) {
    const { cancelled, failure, ...ended } = endingOf(err, noReturn.abort);
    status = ended.status;
    const supersededBy = noReturn.abort?.by ?? null;
    await CancellationScope.nonCancellable(async () => {
      const outcome = cancelled ? 'cancelled' : 'failed';
      const writes = phases.end(outcome, failure.message);
      if (touched.length) {
        progress(`reverting ${touched.join(', ')}`);
        await store.recordPhases(report([...writes.splice(0), phases.start('revert')]));
        await revertServices(request, [...touched].reverse(), plan, liveReleaseId);
        writes.push(...phases.end('succeeded', `back to ${liveReleaseId ? 'the live release' : 'nothing (no release was live)'}: ${touched.join(', ')}`));
      }
      await store.completeDeployment({
        deploymentId,
        status,
        message: failure.message,
        errorType: failure.type,
        supersededBy,
        at: Date.now(),
        phases: writes,
        endRunning: { outcome, message: failure.message },
      });
    });
    progress(`${status}: ${failure.message}`);
    return { deploymentId, status, releaseId: release?.id ?? null, message: failure.message, errorType: failure.type };
  }

  // Committed: every service of the release is live. What follows tidies up.
  const live = resolved.release;
  const exposed = Object.values(resolved.plan.services).filter((s) => s.expose).map((s) => s.name);
  let note: string | null = null;
  progress(`release ${live.number} live; draining`);
  const order = resolved.plan.levels.map((level) => level.join(' + ')).join(' → ');
  await store.recordPhases(report(phases.next('drain', `release ${live.number}: ${order}`)));
  if (request.drainSeconds > 0) await sleep(request.drainSeconds * 1000);
  try {
    note = await swarm.pruneStack({ report: report(phases.next('prune')), appId, environmentId, liveReleaseId: live.id });
    await router.removeStackRoutes({ environmentId, keepServices: exposed });
  } catch (err) {
    note = `cleanup incomplete: ${describeFailure(err).message}`;
    await store.recordPhases(report(phases.end('failed', note)));
  }
  status = 'succeeded';
  const message = `release ${live.number} live`;
  await store.completeDeployment({ deploymentId, status, message, errorType: null, at: Date.now(), phases: phases.end('succeeded', note) });
  progress(message);
  return { deploymentId, status, releaseId: live.id, message, errorType: null };
}

type ServiceState = 'pending' | 'running' | 'started' | 'ready' | 'failed';

/**
 * Starts each service as soon as its dependencies meet their depends_on conditions (started,
 * healthy, completed): the services of a level run in parallel, and a dependent that only needs
 * its dependency started does not wait for its health. The first failure cancels the services
 * still rolling out and is thrown, naming the service.
 */
async function rolloutServices(request: DeployRequest, plan: StackPlan, releaseId: string, touched: string[], progress: (text: string) => void): Promise<void> {
  const services = plan.levels.flat().map((name) => plan.services[name] as ServicePlan);
  const state = new Map<string, ServiceState>(services.map((s) => [s.name, 'pending']));
  let changes = 0;
  const set = (name: string, to: ServiceState) => {
    state.set(name, to);
    changes++;
  };
  setHandler(serviceStartedSignal, (name) => {
    if (state.get(name) === 'running') set(name, 'started');
  });
  const met = (d: ServicePlan['dependsOn'][number]) =>
    d.condition === 'service_started' ? ['started', 'ready'].includes(state.get(d.service) as string) : state.get(d.service) === 'ready';
  const children = new CancellationScope();
  const inFlight = new Set<Promise<void>>();
  let failure: { service: string; err: unknown } | null = null;
  for (;;) {
    if (!failure) {
      for (const s of services) {
        if (state.get(s.name) !== 'pending' || !s.dependsOn.every(met)) continue;
        set(s.name, 'running');
        touched.push(s.name);
        const run: Promise<void> = children
          .run(() => rolloutService(request, s, releaseId))
          .then(
            () => set(s.name, 'ready'),
            (err) => {
              set(s.name, 'failed');
              if (!failure) {
                failure = { service: s.name, err };
                children.cancel();
              }
            },
          )
          .finally(() => inFlight.delete(run));
        inFlight.add(run);
      }
      progress(`rolling out ${[...state].filter(([, v]) => v === 'running' || v === 'started').map(([k]) => k).join(', ')}`);
    }
    if (inFlight.size === 0) break;
    const seen = changes;
    await condition(() => changes !== seen);
  }
  const failed = failure as { service: string; err: unknown } | null;
  if (failed) {
    const why = describeFailure(failed.err);
    throw ApplicationFailure.nonRetryable(`service ${failed.service}: ${why.message}`, why.type ?? 'ContainerFailed');
  }
}

function rolloutService(request: DeployRequest, service: ServicePlan, releaseId: string) {
  return executeChild(rolloutStackService, {
    workflowId: stackServiceWorkflowId(request.deploymentId, service.name),
    args: [
      {
        deploymentId: request.deploymentId,
        appId: request.appId,
        environmentId: request.environmentId,
        releaseId,
        service,
        hosts: service.expose ? serviceHosts(service.name, service.expose, request.hosts) : [],
        tls: service.expose ? serviceTls(request.tls, serviceHosts(service.name, service.expose, request.hosts)) : undefined,
        hostId: request.hostId,
      },
    ],
    workflowTaskTimeout: '4s',
    staticSummary: `${request.appName}/${request.environmentName}: service ${service.name}`,
  });
}

/** Puts services back as the live release runs them (routes first), then removes what it made. */
async function revertServices(request: DeployRequest, services: string[], plan: StackPlan | null, liveReleaseId: string | null): Promise<void> {
  const { deploymentId, environmentId, appId } = request;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const router = proxyActivities<ControlActivities>(ROUTER);
  const swarm = proxyActivities<HostActivities>({ ...SWARM, taskQueue: hostTaskQueue(request.hostId) });
  await Promise.all(
    services.map(async (service) => {
      const at = Date.now();
      await store.recordPhases({ deploymentId, service, phases: [{ phase: 'revert', outcome: 'running', at }] });
      try {
        if (plan?.services[service]?.expose) await router.restoreRoute({ environmentId: serviceRouteKey(environmentId, service), deploymentId });
        const note = await swarm.revertStackService({ appId, environmentId, service, deploymentId, liveReleaseId });
        await store.recordPhases({ deploymentId, service, phases: [{ phase: 'revert', outcome: 'succeeded', message: note, at: Date.now() }] });
      } catch (err) {
        await store.recordPhases({ deploymentId, service, phases: [{ phase: 'revert', outcome: 'failed', message: describeFailure(err).message, at: Date.now() }] });
      }
    }),
  );
  await swarm.pruneStack({ appId, environmentId, liveReleaseId }).catch(() => undefined);
}

/** Removes every service, network, secret, config, volume and route the stack owns. */
async function teardownStack(request: DeployRequest): Promise<DeployResult> {
  const { deploymentId, environmentId } = request;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const router = proxyActivities<ControlActivities>(ROUTER);
  const swarm = proxyActivities<HostActivities>({ ...SWARM, taskQueue: hostTaskQueue(request.hostId) });
  const phases = new PhaseTracker();
  phases.start('queued');
  let status: DeploymentStatus = 'succeeded';
  let message: string;
  let errorType: string | null = null;
  try {
    await router.removeStackRoutes({ environmentId, keepServices: [] });
    message = await swarm.teardownStack({ report: { deploymentId, phases: phases.next('teardown'), running: true }, environmentId });
    await store.clearLive({ environmentId });
  } catch (err) {
    status = 'failed';
    ({ message, type: errorType } = describeFailure(err));
  }
  await store.completeDeployment({
    deploymentId,
    status,
    message,
    errorType,
    at: Date.now(),
    phases: phases.end(status === 'succeeded' ? 'succeeded' : 'failed', message),
    endRunning: { outcome: 'failed', message },
  });
  return { deploymentId, status, releaseId: null, message, errorType };
}
