// Where a launched deployment's replicas answer now. A Docker engine that restarts after the
// health gate passed stops every container and starts them again on ports of its choosing, so
// the servers a switch was given may answer nothing by the time Traefik sends them traffic. The
// deploy asks this when its switch failed: replicas still where they were mean the failure was
// real; replicas the engine moved (or left stopped) are started, gated again and switched to.
import type { HealthCheck } from '../../src/domain/app-spec.js';
import type { createContainerActivities, Endpoint } from '../docker/containers.js';
import type { createHealthActivities } from '../health/index.js';
import type { DeploymentLog } from '../store/deployment-log.js';

export interface RefreshInput {
  deploymentId: string;
  appId: string;
  environmentId: string;
  releaseId: string;
  port: number;
  check: HealthCheck;
  /** Those the switch was given. */
  endpoints: Endpoint[];
}

export interface Refreshed {
  endpoints: Endpoint[];
  /** True when any replica answers somewhere else, or was started again, since `endpoints`. */
  moved: boolean;
}

interface Deps {
  containers: ReturnType<typeof createContainerActivities>;
  health: ReturnType<typeof createHealthActivities>;
  deploymentLog: DeploymentLog;
}

const sameStart = (a: Endpoint, b: Endpoint | undefined) => b !== undefined && a.url === b.url && a.started?.at === b.started?.at;

export function createRefreshEndpoints({ containers, health, deploymentLog }: Deps) {
  return async function refreshEndpoints(input: RefreshInput): Promise<Refreshed> {
    // A replica whose container the engine lost is made again under this deployment's name.
    const ids = await Promise.all(
      input.endpoints.map(async (e) => {
        if (await containers.containerExists(e.containerId)) return e.containerId;
        const { deploymentId, appId, environmentId, releaseId } = input;
        const [id] = await containers.createContainers({ deploymentId, appId, environmentId, releaseId, replicas: [e.replica] });
        return id as string;
      }),
    );
    // Starting is idempotent and reports where each replica answers now.
    const now = await containers.startContainers({ containerIds: ids, port: input.port });
    const moved = now.filter((e) => !sameStart(e, input.endpoints.find((old) => old.replica === e.replica)));
    if (moved.length) {
      const where = moved.map((e) => `replica ${e.replica} at ${e.url}`).join(', ');
      await deploymentLog.write(input.deploymentId, 'warn', 'route', `the switch reached no replica; the Docker engine started them again: ${where}`);
      await health.waitHealthy({ deploymentId: input.deploymentId, endpoints: moved, check: input.check });
    }
    return { endpoints: now, moved: moved.length > 0 };
  };
}
