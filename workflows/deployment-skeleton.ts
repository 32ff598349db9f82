// One deployment of any kind of app, from queued to its recorded end. The skeleton owns what
// every kind shares: the phases and the progress query, the point of no return, the saga's undo,
// the drain, the ending and the completion. A kind (image, git, static, stack) gives only its
// steps before the commit (ending with the step that moves traffic) and after it.
//
// Before the commit, any failure or cancellation undoes the deployment's own work in reverse and
// the old release keeps serving (abandon-deployment.ts); after it, only the post-switch watch
// can send traffic back (roll-back-after-watch.ts); otherwise the deployment succeeds, and a
// failure of the tidying (or of the watch itself) only leaves a note.
import { patched, proxyActivities, proxyLocalActivities, setCurrentDetails, setHandler, sleep, type ActivityOptions } from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { DeployRequest, DeployResult, DeploymentStatus } from '../src/domain/deployment.js';
import type { PhaseReport, PhaseWrite } from '../src/domain/phases.js';
import type { WatchSettings } from '../src/domain/post-switch-watch.js';
import { deployProgressQuery } from '../src/domain/workflow-definitions.js';
import { abandonDeployment, type Undo } from './abandon-deployment.js';
import { ROUTER, STORE } from './activity-profiles.js';
import { describeFailure } from './failure.js';
import { hostActivities } from './host-activities.js';
import { PhaseTracker } from './phase-tracker.js';
import { PointOfNoReturn } from './point-of-no-return.js';
import { rollBackAfterWatch } from './roll-back-after-watch.js';

/** The release a deployment made live. */
export interface LiveRelease {
  id: string;
  number: number;
  /** The servers the route now leads to (kinds whose route has servers of their own). */
  servers?: string[];
}

/**
 * Marks histories whose deployment verifies "done" (what runs is the release, every host's
 * routers lead to it) before its point of no return; older ones committed right after the switch.
 */
export const VERIFIED_DONE = 'verified-done';
/** Marks histories whose deployment watches the new release after the switch (older ones drained at once). */
export const POST_SWITCH_WATCH = 'post-switch-watch';

/** What a kind's steps get from the skeleton. */
export interface Deployment {
  readonly request: DeployRequest;
  readonly phases: PhaseTracker;
  /** Database writes of deployment state, as local activities. */
  readonly store: ControlActivities;
  /** Traefik: switching, confirming and restoring routes. */
  readonly router: ControlActivities;
  /** Activities on the deployment's Docker host, with the profile of the step. */
  onHost(profile: ActivityOptions): HostActivities;
  /** Phase changes for an activity (or the store) to record; `running` also marks the deployment running. */
  report(writes: PhaseWrite[], running?: boolean): PhaseReport;
  /** What the deployment is doing, beside its workflow in the Temporal Web UI. */
  progress(text: string): void;
  /** Pushes the undo of the step about to run; undone in reverse if the deployment does not commit. */
  undo(step: Undo): void;
  /** The release this deployment makes live, once known (the progress query and the result carry it). */
  releasing(releaseId: string): void;
  /**
   * Decides the patches checked after the commit, once: called before the first of the local
   * activities that end the verify and begin the commit, where no timer or activity lies
   * between them and those checks (docs/architecture.md, "Patch checks and local activities").
   */
  decideCommit(): void;
}

export interface DeployKind {
  /** Everything up to and including the step that moves traffic; returns what is then live. */
  beforeCommit(deploy: Deployment): Promise<LiveRelease>;
  /**
   * After the switch, before the commit: confirms that what runs and what Traefik routes to is
   * the release. A failure undoes the deployment like any before the commit: the route switches
   * back and the previous release, never stopped, serves again. Returns what is live when the
   * check moved the route (replicas the engine started elsewhere).
   */
  verify?(deploy: Deployment, live: LiveRelease): Promise<LiveRelease | void>;
  /**
   * The post-switch watch of the new release, after the commit, while the previous one still
   * runs (skipped when there is nothing to go back to). A verdict rolls traffic back.
   */
  watch?(deploy: Deployment, live: LiveRelease, settings: WatchSettings): Promise<{ verdict: string | null; skipped: boolean; summary: string; phases: PhaseWrite[] }>;
  /**
   * After a watch's verdict: puts back what the switch replaced; returns the deployment live
   * again, or null when there is nothing of this deployment's to go back from. Default: the
   * route this deployment's switch replaced (the router's switchBack).
   */
  switchBack?(deploy: Deployment, live: LiveRelease): Promise<{ deploymentId: string; note?: string | undefined } | null>;
  /**
   * Kinds whose old version serves requests in flight drain it for the environment's drain
   * seconds after the commit; returns the message that ends the phase running at the commit.
   */
  drain?(live: LiveRelease): string | null;
  /** Patch checks of the steps that follow the start's announcement, made before it (docs/architecture.md, "Patch checks and local activities"). */
  decideAtStart?(): void;
  /** Patch checks of afterCommit, made early when only local activities lie between (docs/architecture.md, "Patch checks and local activities"). */
  decideAfterCommit?(): void;
  /** Tidying once the release is live (retire, prune); returns a note for its last phase. */
  afterCommit(deploy: Deployment, live: LiveRelease): Promise<string | null>;
}

export async function runDeployment(request: DeployRequest, kind: DeployKind): Promise<DeployResult> {
  const { deploymentId, environmentId } = request;
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const phases = new PhaseTracker();
  const undo: Undo[] = [];
  const noReturn = new PointOfNoReturn();
  let status: DeploymentStatus = 'running';
  let releaseId: string | null = null;
  /** Whether the post-switch watch runs: decided before the commit's local activities. */
  let watching: boolean | null = null;

  const deploy: Deployment = {
    request,
    phases,
    store,
    router: proxyActivities<ControlActivities>(ROUTER),
    onHost: (profile) => hostActivities(request.hostId, profile),
    report: (writes, running = false) => ({ deploymentId, phases: writes, running }),
    progress: (text) => setCurrentDetails(`${request.appName}/${request.environmentName}: ${text}`),
    undo: (step) => undo.push(step),
    releasing: (id) => {
      releaseId = id;
    },
    decideCommit: () => {
      if (watching !== null) return;
      watching = Boolean(kind.watch && request.watch && request.watch.seconds > 0 && patched(POST_SWITCH_WATCH));
      // Without a watch or a drain's wait, afterCommit follows the commit's local activities.
      if (!watching && (!kind.drain || request.drainSeconds <= 0)) kind.decideAfterCommit?.();
    },
  };
  setHandler(deployProgressQuery, () => ({ deploymentId, status, releaseId, phases: phases.snapshot() }));

  phases.start('queued'); // recorded by the lane when it accepted the request
  // deploy.started: deployments begun before notifications existed replay without it; the lane
  // sends it with its placement read when the deployment's turn comes (lane-placement.ts).
  const announce = patched('notify-deploy-started') && !request.startAnnounced;
  kind.decideAtStart?.();
  if (announce) await store.announceStart({ deploymentId });
  let live: LiveRelease;
  try {
    live = await noReturn.beforeCommit.run(async () => {
      let released = await kind.beforeCommit(deploy);
      if (kind.verify && patched(VERIFIED_DONE)) released = (await kind.verify(deploy, released)) ?? released;
      deploy.decideCommit();
      noReturn.commit();
      // A move's new placement is recorded at its commit: before it, a failure leaves the environment where it was.
      // A spread deploy's hosts and shares are recorded with it: reconcile heals each host's share.
      const spreadHosts = request.spread && 'hosts' in request.spread ? { spreadHosts: request.spread.hosts } : {};
      await store.markLive({ environmentId, releaseId: released.id, deploymentId, ...(request.move ? { placeHostId: request.move.placeHostId } : {}), ...spreadHosts });
      return released;
    });
  } catch (err) {
    const ended = await abandonDeployment({ deploymentId, err, abort: noReturn.abort, undo, phases });
    status = ended.status;
    deploy.progress(`${status}: ${ended.failure.message}`);
    return { deploymentId, status, releaseId, message: ended.failure.message, errorType: ended.failure.type };
  }

  // Committed: the new release serves. Aborts are ignored from here; the watch alone may go back.
  releaseId = live.id;
  let drainSeconds = request.drainSeconds;
  if (watching && kind.watch && request.watch) {
    deploy.progress(`release ${live.number} live; watching for ${request.watch.seconds} s`);
    const watch = kind.watch;
    const settings = request.watch;
    // A watch that cannot run (its retries spent) leaves the release live, with a note.
    const watched = await watch(deploy, live, settings).catch(async (err: unknown) => {
      const summary = `watch incomplete: ${describeFailure(err).message}`;
      await store.recordPhases(deploy.report(phases.end('failed', summary)));
      return { verdict: null, skipped: true, summary, phases: [] };
    });
    phases.apply(watched.phases);
    if (!watched.skipped) {
      if (watched.verdict) {
        const switchBack = kind.switchBack ? () => (kind.switchBack as NonNullable<DeployKind['switchBack']>)(deploy, live) : undefined;
        const result = await rollBackAfterWatch({ request, releaseId: live.id, verdict: watched.verdict, summary: watched.summary, undo, phases, switchBack });
        status = result.status;
        deploy.progress(`${status}: ${result.message}`);
        return result;
      }
      // The previous release has had no new request since the switch, longer ago than the watch.
      drainSeconds = Math.max(0, drainSeconds - request.watch.seconds);
    }
    // The drain's record follows the watch; with no wait after it, afterCommit's checks go first.
    if (!kind.drain || drainSeconds <= 0) kind.decideAfterCommit?.();
  }
  if (kind.drain) {
    deploy.progress(`release ${live.number} live; draining`);
    await store.recordPhases(deploy.report(phases.next('drain', kind.drain(live))));
    if (drainSeconds > 0) await sleep(drainSeconds * 1000);
  } else {
    deploy.progress(`release ${live.number} live; pruning`);
  }
  let note: string | null;
  try {
    note = await kind.afterCommit(deploy, live);
  } catch (err) {
    note = `cleanup incomplete: ${describeFailure(err).message}`;
    await store.recordPhases(deploy.report(phases.end('failed', note)));
  }
  status = 'succeeded';
  const message = `release ${live.number} live`;
  await store.completeDeployment({ deploymentId, status, message, errorType: null, at: Date.now(), phases: phases.end('succeeded', note) });
  deploy.progress(message);
  return { deploymentId, status, releaseId: live.id, message, errorType: null };
}
