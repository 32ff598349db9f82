// The health gate: probes every replica with the app's policy until each passes, heartbeating
// and stopping as soon as the activity is cancelled.
import { Context } from '@temporalio/activity';
import type Docker from 'dockerode';
import type { HealthCheck } from '../../src/domain/app-spec.js';
import { permanentFailure } from '../../src/errors.js';
import { probeHttp, type ProbeResult } from '../../src/http-probe.js';
import type { Logger } from '../../src/logger.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import type { Endpoint } from '../docker/index.js';
import { withHeartbeat } from '../heartbeat.js';

/** Until the first answer, probes start this far apart and double up to the interval. */
export const FIRST_PROBE_DELAY_MS = 10;

interface Deps {
  docker: Docker;
  log: Logger;
  deploymentLog: DeploymentLog;
}

export function createHealthActivities({ docker, log, deploymentLog }: Deps) {
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });

  async function exited(containerId: string): Promise<string | null> {
    const info = await docker.getContainer(containerId).inspect().catch(() => null);
    if (!info) return 'the container is gone';
    return info.State.Running ? null : `the container exited with code ${info.State.ExitCode}`;
  }

  async function gateOne(deploymentId: string, endpoint: Endpoint, check: HealthCheck): Promise<ProbeResult> {
    const ctx = Context.current();
    const signal = ctx.cancellationSignal;
    const started = Date.now();
    let good = 0;
    let bad = 0;
    let delay = FIRST_PROBE_DELAY_MS;
    let answered = false;
    const target = `${endpoint.url}${check.path}`;
    for (;;) {
      if (signal.aborted) throw signal.reason ?? new Error('cancelled');
      const result = await probeHttp(target, { timeoutMs: check.timeoutMs, expectedStatus: check.expectedStatus, signal });
      // An aborted probe is not an unhealthy replica: report the cancellation itself.
      if (signal.aborted) throw signal.reason ?? new Error('cancelled');
      ctx.heartbeat({ replica: endpoint.replica, good, bad, last: result.reason ?? result.status });
      if (result.status !== null) answered = true;
      if (result.ok) {
        good++;
        bad = 0;
        if (good >= check.successThreshold) return result;
      } else {
        good = 0;
        const gone = result.status === null ? await exited(endpoint.containerId) : null;
        if (gone) throw permanentFailure('HealthCheckFailed', `replica ${endpoint.replica}: ${gone}`);
        if (Date.now() - started >= check.startPeriodMs) {
          bad++;
          await deploymentLog.write(deploymentId, 'warn', 'health', `replica ${endpoint.replica} ${check.path}: ${result.reason}`);
          if (bad >= check.failureThreshold) {
            throw permanentFailure(
              'HealthCheckFailed',
              `replica ${endpoint.replica} failed ${bad} health checks in a row on ${check.path}: ${result.reason}`,
              { replica: endpoint.replica, path: check.path, status: result.status, reason: result.reason },
            );
          }
        }
      }
      const wait = answered ? check.intervalMs : Math.min((delay *= 2) / 2, check.intervalMs);
      await sleep(wait, signal);
    }
  }

  return {
    /** Passes when every replica has answered `successThreshold` times in a row as expected. */
    async waitHealthy(input: { deploymentId: string; endpoints: Endpoint[]; check: HealthCheck }): Promise<{ ms: number }> {
      const started = Date.now();
      // Beats on a timer too: a slow probe must not look like a dead worker.
      await withHeartbeat(() => Promise.all(input.endpoints.map((e) => gateOne(input.deploymentId, e, input.check))));
      const ms = Date.now() - started;
      log.debug({ deploymentId: input.deploymentId, ms }, 'health gate passed');
      await deploymentLog.write(input.deploymentId, 'info', 'health', `${input.endpoints.length} replica(s) healthy after ${ms} ms`);
      return { ms };
    },
  };
}

export type HealthActivities = ReturnType<typeof createHealthActivities>;
