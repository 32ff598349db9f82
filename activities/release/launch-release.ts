// Create, start and health-gate a release's containers in one step on the host, recording each
// phase as it goes. One activity instead of three keeps Temporal round trips off the path a
// deploy's latency is made of; every part stays idempotent (get-or-create, start-if-stopped,
// probe again), so a retry after a crash redoes nothing twice.
import type { Db } from '../../db/client.js';
import type { PhaseReport, PhaseWrite } from '../../src/domain/phases.js';
import { recordReport } from '../store/deployments.js';
import type { ReleaseSpec } from '../store/releases.js';
import type { createContainerActivities, Endpoint } from '../docker/containers.js';
import type { createImageActivities } from '../docker/images.js';
import type { createHealthActivities } from '../health/index.js';

export interface LaunchInput {
  report: PhaseReport;
  deploymentId: string;
  appId: string;
  environmentId: string;
  release: ReleaseSpec;
  /** Containers a retained release kept: started as they are, nothing created. */
  reuse: string[] | null;
  /** A rollback whose containers were pruned: the pinned image may need pulling again. */
  recreate: boolean;
}

export interface Launched {
  endpoints: Endpoint[];
  /** The phase changes this step recorded, for the workflow's own view. */
  phases: PhaseWrite[];
}

interface Deps {
  db: Db;
  images: ReturnType<typeof createImageActivities>;
  containers: ReturnType<typeof createContainerActivities>;
  health: ReturnType<typeof createHealthActivities>;
}

export function createLaunchRelease({ db, images, containers, health }: Deps) {
  return async function launchRelease(input: LaunchInput): Promise<Launched> {
    const { deploymentId, release } = input;
    const recorded: PhaseWrite[] = [];
    const advance = async (phases: PhaseWrite[]) => {
      recorded.push(...phases);
      await recordReport(db, { deploymentId, phases });
    };
    await recordReport(db, input.report);

    let containerIds = input.reuse;
    if (!containerIds) {
      if (input.recreate) await images.ensurePinnedImage({ deploymentId, imagePinned: release.imagePinned });
      containerIds = await containers.createContainers({
        deploymentId,
        appId: input.appId,
        environmentId: input.environmentId,
        releaseId: release.id,
      });
      const at = Date.now();
      await advance([
        { phase: 'create', outcome: 'succeeded', at },
        { phase: 'start', outcome: 'running', at },
      ]);
    }
    const endpoints = await containers.startContainers({ containerIds, port: release.config.port });
    const started = Date.now();
    await advance([
      { phase: 'start', outcome: 'succeeded', at: started },
      { phase: 'health', outcome: 'running', at: started },
    ]);
    const gate = await health.waitHealthy({ deploymentId, endpoints, check: release.config.healthCheck });
    await advance([{ phase: 'health', outcome: 'succeeded', message: `healthy after ${gate.ms} ms`, at: Date.now() }]);
    return { endpoints, phases: recorded };
  };
}
