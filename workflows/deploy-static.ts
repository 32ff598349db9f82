// A static site's deployment: receive → unpack → verify (one host step), then switch `current`
// (the point of no return), then retire and prune. Before the switch, a failure or an abort
// removes this deployment's files and the live release keeps serving; a rollback skips straight
// to the switch, so it costs one activity. Behind the patch `static-verify-watch`, the switch is
// verified (every host name answers from the release; Traefik's routers lead to the static
// server) and watched after the commit like an image's release; both go back by undoing the
// `current` switch (activities/static/verify-site.ts). Behind `static-canary`, a canary previews
// the release (whose route also answers under the canary hop's path, src/domain/static-canary.ts)
// and runs the image kind's steps on the environment's weighted route before the switch.
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { previewHost } from '../src/domain/blue-green.js';
import type { DeployRequest, DeployResult } from '../src/domain/deployment.js';
import { releaseIdFor } from '../src/domain/ids.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import type { Switched } from '../activities/static/index.js';
import { DOCKER, ROUTER, UNPACK, WATCH } from './activity-profiles.js';
import { endPreview } from './blue-green.js';
import { runCanary } from './canary.js';
import { runDeployment, type DeployKind, type Deployment } from './deployment-skeleton.js';
import { carryOlderReleases, isStaticMove, leaveOldHost, receiveMovedRelease } from './static-move.js';

/** Marks histories whose static deployments verify and watch their switch; older ones committed right after it. */
const STATIC_VERIFY_WATCH = 'static-verify-watch';
/** Marks histories whose static deploys may run blue-green (a preview on next.<host> before the switch). */
const STATIC_BLUE_GREEN = 'static-blue-green';
/** Marks histories whose static deploys may run a canary (older ones refused it in the API). */
const STATIC_CANARY = 'static-canary';
/** Marks histories whose plain static deploys prepare and switch in one activity (older ones: two). */
const STATIC_PUBLISH_AT_ONCE = 'static-publish-at-once';

export async function deployStatic(request: DeployRequest): Promise<DeployResult> {
  return runDeployment(request, staticSteps(request));
}

function staticSteps(request: DeployRequest): DeployKind {
  const { deploymentId, environmentId, appId } = request;
  const site = { appName: request.appName, environmentName: request.environmentName };
  let previousReleaseId: string | null = null;
  let previousDeploymentId: string | null = null;
  const hostsOf = (releaseId: string) => ({ environmentId, releaseId, hosts: request.hosts, tls: request.tls });
  let blueGreen = false;
  /** A move to another host: the release's files travel there before the switch (workflows/static-move.ts). */
  const moving = isStaticMove(request) ? request : null;
  /** Blue-green: the release's directory answers on next.<host> through Traefik before `current` moves. */
  async function previewSite(deploy: Deployment, releaseId: string, canaryHop?: true): Promise<string[] | undefined> {
    const host = previewHost(request.hosts);
    if (!host) throw ApplicationFailure.nonRetryable(`environment ${environmentId} has no host name to preview a blue-green release on`, 'BlueGreenFailed');
    deploy.progress(`previewing on ${host}`);
    // Pushed before the route is written: a failed preview (or anything before the commit) removes it.
    deploy.undo(async () => {
      await deploy.router.removePreview({ environmentId });
    });
    const previewed = await deploy.onHost(ROUTER).previewStaticRelease({
      ...site,
      report: deploy.report([deploy.phases.start('preview')]),
      environmentId,
      deploymentId,
      releaseId,
      host,
      tls: request.tls,
      ...(canaryHop ? { canaryHop } : {}),
    });
    deploy.phases.apply(previewed.phases);
    return previewed.canaryServers;
  }
  let canaryRan = false;
  /** Unpack and switch in one activity: checked before the start's announcement, a local activity (docs/architecture.md, "Patch checks and local activities"). */
  let publishAtOnce = false;
  return {
    decideAtStart() {
      publishAtOnce = request.kind === 'deploy' && Boolean(request.artifact) && !request.canary && request.blueGreen !== true && patched(STATIC_PUBLISH_AT_ONCE);
    },

    async beforeCommit(deploy) {
      const { phases, report } = deploy;
      let releaseId = request.kind === 'rollback' ? (request.releaseId ?? null) : null;
      if (releaseId) deploy.releasing(releaseId);
      let switchReport: PhaseWrite[] = [];
      let restoreTo: string | null | undefined;
      /** Set when the switch ran in the same activity as the unpack. */
      let published: Switched | null = null;
      if (request.kind === 'deploy') {
        if (!request.artifact) throw ApplicationFailure.nonRetryable('a static deploy needs the archive the API staged', 'ValidationFailed');
        const id = releaseIdFor(deploymentId);
        releaseId = id;
        deploy.releasing(id);
        deploy.progress('receiving and unpacking');
        deploy.undo(async () => {
          await deploy.onHost(DOCKER).discardStaticRelease({ ...site, deploymentId, releaseId: id });
        });
        const prepare = {
          ...site,
          report: report(phases.next('receive'), true),
          deploymentId,
          appId,
          environmentId,
          releaseId: id,
          artifact: request.artifact,
        };
        if (publishAtOnce) {
          // Nothing between the unpack and the switch: one activity (activities/static/publish-release.ts).
          const done = await deploy.onHost(UNPACK).publishStaticRelease({ ...prepare, hosts: request.hosts, tls: request.tls });
          phases.apply(done.phases);
          published = done.switched;
        } else {
          const prepared = await deploy.onHost(UNPACK).prepareStaticRelease(prepare);
          phases.apply(prepared.phases);
          restoreTo = prepared.previousReleaseId;
          if (request.canary && patched(STATIC_CANARY)) {
            // The preview's route is the canary's server: the release answers through it beside `current`.
            canaryRan = true;
            const servers = await previewSite(deploy, id, true);
            await runCanary(deploy, { routes: [{ routeKey: environmentId, servers: servers ?? [] }], settings: request.canary });
          } else if (request.blueGreen === true && patched(STATIC_BLUE_GREEN)) {
            blueGreen = true;
            await previewSite(deploy, id);
          }
          switchReport = [phases.start('switch')];
        }
      } else if (moving) {
        restoreTo = await receiveMovedRelease(deploy, moving, site);
        switchReport = [phases.start('switch')];
      } else {
        switchReport = [
          ...phases.skip('receive', `rollback to ${releaseId}`),
          ...phases.skip('unpack', 'files kept on disk'),
          ...phases.skip('verify', 'verified when deployed'),
          phases.start('switch'),
        ];
      }

      let switched = published;
      if (!switched) {
        deploy.progress('switching current');
        switched = await deploy.onHost(ROUTER).switchStaticRelease({
          ...site,
          report: report(switchReport, request.kind === 'rollback'),
          deploymentId,
          environmentId,
          releaseId: releaseId as string,
          hosts: request.hosts,
          tls: request.tls,
          restoreTo,
        });
        phases.apply(switched.phases);
      }
      if (blueGreen) await endPreview(deploy);
      previousReleaseId = switched.previousReleaseId;
      previousDeploymentId = switched.previousDeploymentId ?? null;
      if (patched(STATIC_VERIFY_WATCH)) {
        // Until the commit, a failure (the verify) points `current` back; the previous release's files never went.
        const back = { ...site, ...hostsOf(releaseId as string), deploymentId, previousReleaseId };
        deploy.undo(async () => {
          await deploy.onHost(ROUTER).restoreStaticSwitch(back);
        });
      }
      if (canaryRan) {
        // `current` is the release now, so both children answer from it: the split goes, then its hop.
        await deploy.router.endCanary({ environmentId, deploymentId });
        await endPreview(deploy);
      }
      return { id: releaseId as string, number: switched.releaseNumber };
    },

    async verify({ phases, report, onHost, progress }, live) {
      // Histories from before the patch committed right after the switch (the skeleton's verify
      // patch is older than the static one, so a kind's own marker decides).
      if (!patched(STATIC_VERIFY_WATCH)) return;
      progress('confirming');
      // Its own `verify` phase is the archive's check, before the switch.
      await onHost(ROUTER).verifyStaticRelease({ ...hostsOf(live.id), report: report(phases.next('confirm')) });
    },

    async watch({ phases, report, store, onHost }, live, settings) {
      if (!previousReleaseId || !patched(STATIC_VERIFY_WATCH)) {
        const summary = previousReleaseId ? 'not watched (deployment started before static sites had a watch)' : 'no previous release to go back to';
        const ended = phases.skip('watch', summary);
        await store.recordPhases(report(ended));
        return { verdict: null, skipped: true, summary, phases: [] };
      }
      const watched = await onHost(WATCH).watchStaticRelease({ ...hostsOf(live.id), report: report(phases.next('watch')), watch: settings });
      return watched;
    },

    async switchBack({ onHost }, live) {
      const back = await onHost(ROUTER).restoreStaticSwitch({ ...site, ...hostsOf(live.id), deploymentId, previousReleaseId });
      return back && previousDeploymentId ? { deploymentId: previousDeploymentId } : null;
    },

    async afterCommit(deploy, live) {
      const { phases, report, store, onHost } = deploy;
      const keepReleaseIds = await store.retainedReleases({ environmentId, liveReleaseId: live.id, retention: request.retention });
      const pruned = await onHost(DOCKER).pruneStaticReleases({
        ...site,
        report: report(phases.next('retire')),
        deploymentId,
        environmentId,
        liveReleaseId: live.id,
        previousReleaseId,
        keepReleaseIds,
      });
      phases.apply(pruned.phases);
      if (!moving) return null;
      // The host left: its own phase, ended by the note.
      await store.recordPhases(report(phases.next('prune', `carrying older releases, then removing the site on host ${moving.move.from}`)));
      const carried = await carryOlderReleases(deploy, moving, site, keepReleaseIds.filter((id) => id !== live.id));
      return `${carried}; ${await leaveOldHost(moving, site)}`;
    },
    // A move's old host serves the requests already sent to it for the drain seconds.
    ...(moving ? { drain: () => `host ${moving.move.from} serves requests in flight` } : {}),
  };
}
