// Temporal workers: one on the control task queue (every workflow, plus the router and store
// activities) and one on this host's queue (Docker and health activities).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import { CONTROL_TASK_QUEUE, hostTaskQueue } from '../domain/task-queues.js';
import type { TemporalTls } from '../config.js';
import type { Logger } from '../logger.js';
import { typedActivityFailures } from './activity-failures.js';
import type { KeyRing } from '../secrets/key-ring.js';
import { berthDataConverter } from './payload-codec.js';
import { temporalTls } from './tls.js';
import { ensurePortFree } from '../services/port-free.js';

/** Workflow sources, next to this file's tree whether it runs from .ts (dev) or .js (built). */
export const WORKFLOWS_PATH = fileURLToPath(new URL(`../../workflows/index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/**
 * The bundle `npm run build` writes beside the compiled code (dist/workflow-bundle.js), built
 * from the same sources: a worker running from dist/ loads it rather than running webpack at
 * start, which takes seconds and leaves ~150 MB resident. From the sources, none.
 */
export function builtWorkflowBundle(): string | undefined {
  if (import.meta.url.endsWith('.ts')) return undefined;
  const path = fileURLToPath(new URL('../../workflow-bundle.js', import.meta.url));
  return existsSync(path) ? path : undefined;
}

/**
 * Stopping must not wait on work that cannot finish (a retrying step): running activities get
 * a few seconds, then the worker stops; Temporal hands the work to the next worker.
 */
const SHUTDOWN = { shutdownGraceTime: '3s', shutdownForceTime: '8s' } as const;

/** Every worker's activities leave their failures typed (src/temporal/activity-failures.ts). */
export const ACTIVITY_INTERCEPTORS = { activity: [typedActivityFailures] };

let runtimeInstalled = false;

/**
 * Routes the Temporal SDK's own logs (warnings and up) into pino and, given an address, serves
 * its worker metrics (task slots, poll and schedule-to-start latencies, sticky cache) there for
 * Prometheus. Once per process: the first call decides.
 */
export function installTemporalRuntime(log: Logger, metricsAddress: string | null = null): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const sdkLog = log.child({ component: 'temporal-sdk' });
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  const logger = new DefaultLogger('WARN', (entry) => {
    // The host worker runs activities only, by design.
    if (entry.message.startsWith('No workflows registered')) return;
    // A permanent failure (unhealthy release, missing image) is an outcome the deployment
    // records, not a problem of the worker.
    if (entry.message === 'Activity failed' && (entry.meta?.error as { nonRetryable?: boolean } | undefined)?.nonRetryable) {
      sdkLog.debug({ ...entry.meta }, entry.message);
      return;
    }
    sdkLog[levels[entry.level]]({ ...entry.meta }, entry.message);
  });
  // The native core's own logs go through the same logger instead of raw stderr.
  const logging = { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) };
  const metrics = metricsAddress ? { prometheus: { bindAddress: metricsAddress, countersTotalSuffix: true, useSecondsForDurations: true } } : undefined;
  Runtime.install({ logger, telemetryOptions: { logging, ...(metrics ? { metrics } : {}) } });
}

/**
 * The SDK's metrics address if it can be bound: the runtime fails to install on a port in use
 * (and cannot be installed again after), and a monitoring port must not keep a worker from
 * deploying, so a taken one is logged and the worker runs on without these metrics.
 */
async function bindableMetricsAddress(address: string | null | undefined, log: Logger): Promise<string | null> {
  if (!address) return null;
  try {
    await ensurePortFree(address.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''), Number(address.replace(/^.*:/, '')), 'Temporal SDK metrics');
    return address;
  } catch (err) {
    log.error({ err, address }, 'Temporal SDK metrics not served; the worker runs on without them');
    return null;
  }
}

export interface WorkerOptions {
  address: string;
  /** mTLS to Temporal, when configured. */
  tls?: TemporalTls | null;
  namespace: string;
  hostId: string;
  /** Absent: a host's own worker (`berth worker --host ID`), which runs no workflow and no control activity. */
  controlActivities?: object;
  hostActivities: object;
  /** A prebuilt bundle (BERTH_WORKFLOW_BUNDLE; else builtWorkflowBundle()); without one the workflows are bundled at start. */
  workflowBundlePath?: string | undefined;
  /** host:port for the SDK's Prometheus metrics (null: none). */
  metricsAddress?: string | null;
  /** Encrypts and decrypts every payload (the same ring as the process's clients). */
  ring: KeyRing;
  log: Logger;
}

export interface Workers {
  connection: NativeConnection;
  /** null on a host's own worker. */
  control: Worker | null;
  host: Worker;
  /** Resolves when both workers have stopped. */
  running: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorkers(options: WorkerOptions): Promise<Workers> {
  installTemporalRuntime(options.log, runtimeInstalled ? null : await bindableMetricsAddress(options.metricsAddress, options.log));
  const tls = temporalTls(options.tls ?? null);
  const connection = await NativeConnection.connect({ address: options.address, ...(tls ? { tls } : {}) });
  const bundlePath = options.workflowBundlePath ?? builtWorkflowBundle();
  const workflows = bundlePath
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { ignoreModules: [] as string[] } };
  const dataConverter = berthDataConverter(options.ring);
  const control = options.controlActivities
    ? await Worker.create({
        connection,
        dataConverter,
        namespace: options.namespace,
        taskQueue: CONTROL_TASK_QUEUE,
        ...workflows,
        activities: options.controlActivities,
        interceptors: ACTIVITY_INTERCEPTORS,
        // A workflow cached by a worker that died moves to another worker after this long.
        stickyQueueScheduleToStartTimeout: '2s',
        ...SHUTDOWN,
      })
    : null;
  const host = await Worker.create({
    connection,
    dataConverter,
    namespace: options.namespace,
    taskQueue: hostTaskQueue(options.hostId),
    activities: options.hostActivities,
    interceptors: ACTIVITY_INTERCEPTORS,
    ...SHUTDOWN,
  });
  const all = control ? [control, host] : [host];
  const running = Promise.all(all.map((w) => w.run())).then(() => undefined);
  return {
    connection,
    control,
    host,
    running,
    async shutdown() {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
      await running.catch((err: unknown) => {
        // The SDK's last check when it frees a worker that has stopped polling and finished its
        // tasks: an activity completion still in flight at that moment holds a second reference.
        // Nothing is left to run by then; anything else is a real failure.
        if (!(err instanceof Error && /Worker still in use/.test(err.message))) throw err;
      });
      await connection.close();
    },
  };
}
