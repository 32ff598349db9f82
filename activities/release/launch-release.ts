// A release's way to running and healthy, in one step on the host: resolve (pin the image,
// record the release, or find what a retained release kept), create, start and the health gate,
// recording each phase as it goes. One activity instead of four keeps Temporal round trips off
// the path a deploy's latency is made of; every part stays idempotent (get-or-create,
// start-if-stopped, probe again), so a retry after a crash, or a run again after the Docker
// engine restarted under it (docker/engine-guard.ts), redoes nothing twice.
import type { Db } from '../../db/client.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import { recordReport } from '../store/deployments.js';
import type { ReleaseSpec } from '../store/releases.js';
import type { createContainerActivities, Endpoint } from '../docker/containers.js';
import type { createImageActivities } from '../docker/images.js';
import type { createHealthActivities } from '../health/index.js';
import type { createResolveRelease, ResolveInput } from './resolve-release.js';
import { duringPhase } from '../docker/engine-away.js';

export interface LaunchInput extends ResolveInput {
  /** Phase changes to record first (the deployment leaving the queue). */
  report: PhaseReport;
}

export interface Launched {
  release: ReleaseSpec;
  endpoints: Endpoint[];
  /** The phase changes this step recorded, for the workflow's own view. */
  phases: PhaseWrite[];
}

interface Deps {
  db: Db;
  resolve: ReturnType<typeof createResolveRelease>;
  images: ReturnType<typeof createImageActivities>;
  containers: ReturnType<typeof createContainerActivities>;
  health: ReturnType<typeof createHealthActivities>;
}

export function createLaunchRelease({ db, resolve, images, containers, health }: Deps) {
  return async function launchRelease(input: LaunchInput): Promise<Launched> {
    const { deploymentId } = input;
    const recorded: PhaseWrite[] = [];
    // Progress goes to the database in order, beside the work rather than in front of it; all of
    // it is written before the step ends (a failed write fails the step, which is retried whole).
    let written: Promise<void> = recordReport(db, input.report);
    written.catch(() => undefined); // surfaces when awaited below
    const advance = (phases: PhaseWrite[]) => {
      recorded.push(...phases);
      written = written.then(() => recordReport(db, { deploymentId, phases }));
      written.catch(() => undefined);
    };
    const launched = await launch().finally(() => written.catch(() => undefined));
    await written;
    return launched;

    async function launch(): Promise<Launched> {
      const { release, row, retained } = await duringPhase('resolve', () => resolve(input));
      let at = Date.now();
      let containerIds = retained;
      if (containerIds) {
        advance([
          { phase: 'resolve', outcome: 'succeeded', message: `release ${release.number}`, at },
          { phase: 'create', outcome: 'skipped', message: `reusing ${containerIds.length} retained container(s)`, at },
          { phase: 'start', outcome: 'running', at },
        ]);
      } else {
        advance([
          { phase: 'resolve', outcome: 'succeeded', message: `release ${release.number} pinned to ${release.imagePinned}`, at },
          { phase: 'create', outcome: 'running', at },
        ]);
        // A rollback whose containers were pruned may need its pinned image pulled again, and a
        // spread host whose own tag resolved to another digest than the release recorded (the
        // other host won the race to record it) needs the recorded one.
        if (input.rollbackTo || input.replicas) await duringPhase('create', () => images.ensurePinnedImage({ deploymentId, imagePinned: release.imagePinned }));
        containerIds = await duringPhase('create', () =>
          containers.createContainers({ deploymentId, appId: input.appId, environmentId: input.environmentId, releaseId: release.id, release: row, ...(input.replicas ? { replicas: input.replicas } : {}) }),
        );
        at = Date.now();
        advance([
          { phase: 'create', outcome: 'succeeded', at },
          { phase: 'start', outcome: 'running', at },
        ]);
      }
      const ids = containerIds;
      const endpoints = await duringPhase('start', () => containers.startContainers({ containerIds: ids, port: release.config.port }));
      at = Date.now();
      advance([
        { phase: 'start', outcome: 'succeeded', at },
        { phase: 'health', outcome: 'running', at },
      ]);
      const gate = await duringPhase('health', () => health.waitHealthy({ deploymentId, endpoints, check: release.config.healthCheck }));
      advance([{ phase: 'health', outcome: 'succeeded', message: `healthy after ${gate.ms} ms`, at: Date.now() }]);
      return { release, endpoints, phases: recorded };
    }
  };
}
