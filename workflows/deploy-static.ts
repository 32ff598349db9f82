// A static site's deployment: receive → unpack → verify (one host step), then switch `current`
// (the point of no return), then retire and prune. Before the switch, a failure or an abort
// removes this deployment's files and the live release keeps serving; a rollback skips straight
// to the switch, so it costs one activity.
import { proxyActivities, proxyLocalActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { ControlActivities, HostActivities } from '../activities/index.js';
import type { DeployRequest, DeployResult, DeploymentStatus } from '../src/domain/deployment.js';
import { releaseIdFor } from '../src/domain/ids.js';
import type { PhaseWrite } from '../src/domain/phases.js';
import { hostTaskQueue } from '../src/domain/task-queues.js';
import { deployProgressQuery } from '../src/domain/workflow-definitions.js';
import { DOCKER, ROUTER, STORE, UNPACK } from './activity-profiles.js';
import { abandonDeployment, type Undo } from './abandon-deployment.js';
import { PointOfNoReturn } from './point-of-no-return.js';
import { describeFailure } from './failure.js';
import { PhaseTracker } from './phase-tracker.js';

export async function deployStatic(request: DeployRequest): Promise<DeployResult> {
  const { deploymentId, environmentId, appId } = request;
  const site = { appName: request.appName, environmentName: request.environmentName };
  const onHost = { taskQueue: hostTaskQueue(request.hostId) };
  const store = proxyLocalActivities<ControlActivities>(STORE);
  const unpacker = proxyActivities<HostActivities>({ ...UNPACK, ...onHost });
  const switcher = proxyActivities<HostActivities>({ ...ROUTER, ...onHost });
  const host = proxyActivities<HostActivities>({ ...DOCKER, ...onHost });

  const phases = new PhaseTracker();
  const report = (writes: PhaseWrite[], running = false) => ({ deploymentId, phases: writes, running });
  let status: DeploymentStatus = 'running';
  let releaseId: string | null = request.kind === 'rollback' ? (request.releaseId ?? null) : null;
  let previousReleaseId: string | null = null;
  const undo: Undo[] = [];
  const noReturn = new PointOfNoReturn();

  setHandler(deployProgressQuery, () => ({ deploymentId, status, releaseId, phases: phases.snapshot() }));
  const progress = (text: string) => setCurrentDetails(`${request.appName}/${request.environmentName}: ${text}`);

  phases.start('queued'); // recorded by the lane when it accepted the request
  let releaseNumber = 0;
  try {
    await noReturn.beforeCommit.run(async () => {
      let switchReport: PhaseWrite[];
      let restoreTo: string | null | undefined;
      if (request.kind === 'deploy') {
        if (!request.artifact) throw new Error('a static deploy needs the archive the API staged');
        const id = releaseIdFor(deploymentId);
        releaseId = id;
        progress('receiving and unpacking');
        undo.push(() => host.discardStaticRelease({ ...site, deploymentId, releaseId: id }));
        const prepared = await unpacker.prepareStaticRelease({
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

      progress('switching current');
      const switched = await switcher.switchStaticRelease({
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
      releaseNumber = switched.releaseNumber;
      previousReleaseId = switched.previousReleaseId;
      noReturn.commit();
      await store.markLive({ environmentId, releaseId: releaseId as string, deploymentId });
    });
  } catch (err) {
    const ended = await abandonDeployment({ deploymentId, err, abort: noReturn.abort, undo, phases });
    status = ended.status;
    const failure = ended.failure;
    progress(`${status}: ${failure.message}`);
    return { deploymentId, status, releaseId, message: failure.message, errorType: failure.type };
  }

  // Committed: the new release serves. Retire and prune tidy up and cannot undo the deploy.
  const live = releaseId as string;
  progress(`release ${releaseNumber} live; pruning`);
  let note: string | null = null;
  try {
    const keepReleaseIds = await store.retainedReleases({ environmentId, liveReleaseId: live, retention: request.retention });
    const pruned = await host.pruneStaticReleases({
      ...site,
      report: report(phases.next('retire')),
      deploymentId,
      environmentId,
      liveReleaseId: live,
      previousReleaseId,
      keepReleaseIds,
    });
    phases.apply(pruned.phases);
  } catch (err) {
    note = `cleanup incomplete: ${describeFailure(err).message}`;
    await store.recordPhases(report(phases.end('failed', note)));
  }
  status = 'succeeded';
  const message = `release ${releaseNumber} live`;
  await store.completeDeployment({ deploymentId, status, message, errorType: null, at: Date.now(), phases: phases.end('succeeded', note) });
  progress(message);
  return { deploymentId, status, releaseId: live, message, errorType: null };
}
