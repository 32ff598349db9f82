// A static site's deployment: receive → unpack → verify (one host step), then switch `current`
// (the point of no return), then retire and prune. Before the switch, a failure or an abort
// removes this deployment's files and the live release keeps serving; a rollback skips straight
// to the switch, so it costs one activity.
import { ApplicationFailure } from '@temporalio/workflow';
import type { DeployRequest, DeployResult } from '../src/domain/deployment.js';
import { releaseIdFor } from '../src/domain/ids.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import { DOCKER, ROUTER, UNPACK } from './activity-profiles.js';
import { runDeployment, type DeployKind } from './deployment-skeleton.js';

export async function deployStatic(request: DeployRequest): Promise<DeployResult> {
  return runDeployment(request, staticSteps(request));
}

function staticSteps(request: DeployRequest): DeployKind {
  const { deploymentId, environmentId, appId } = request;
  const site = { appName: request.appName, environmentName: request.environmentName };
  let previousReleaseId: string | null = null;
  return {
    async beforeCommit(deploy) {
      const { phases, report } = deploy;
      let releaseId = request.kind === 'rollback' ? (request.releaseId ?? null) : null;
      if (releaseId) deploy.releasing(releaseId);
      let switchReport: PhaseWrite[];
      let restoreTo: string | null | undefined;
      if (request.kind === 'deploy') {
        if (!request.artifact) throw ApplicationFailure.nonRetryable('a static deploy needs the archive the API staged', 'ValidationFailed');
        const id = releaseIdFor(deploymentId);
        releaseId = id;
        deploy.releasing(id);
        deploy.progress('receiving and unpacking');
        deploy.undo(async () => {
          await deploy.onHost(DOCKER).discardStaticRelease({ ...site, deploymentId, releaseId: id });
        });
        const prepared = await deploy.onHost(UNPACK).prepareStaticRelease({
          ...site,
          report: report(phases.next('receive'), true),
          deploymentId,
          appId,
          environmentId,
          releaseId: id,
          artifact: request.artifact,
        });
        phases.apply(prepared.phases);
        restoreTo = prepared.previousReleaseId;
        switchReport = [phases.start('switch')];
      } else {
        switchReport = [
          ...phases.skip('receive', `rollback to ${releaseId}`),
          ...phases.skip('unpack', 'files kept on disk'),
          ...phases.skip('verify', 'verified when deployed'),
          phases.start('switch'),
        ];
      }

      deploy.progress('switching current');
      const switched = await deploy.onHost(ROUTER).switchStaticRelease({
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
      previousReleaseId = switched.previousReleaseId;
      return { id: releaseId as string, number: switched.releaseNumber };
    },

    async afterCommit({ phases, report, store, onHost }, live) {
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
      return null;
    },
  };
}
