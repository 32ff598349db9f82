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
import { isNotFound } from '../docker/docker-errors.js';
import { confirmEngineHere, EngineAwayError } from '../docker/engine-away.js';

/** Until the first answer, probes start this far apart and double up to the interval. */
export const FIRST_PROBE_DELAY_MS = 10;

interface Deps {
  docker: Docker;
  /** The engine's socket, asked directly whether the engine is still there before a verdict. */
  socketPath: string;
  log: Logger;
  deploymentLog: DeploymentLog;
}

/** The container publishes ports, and `url`'s is none of them any more. */
function publishedElsewhere(info: Docker.ContainerInspectInfo, url: string): boolean {
  const port = new URL(url).port;
  const published = Object.values(info.NetworkSettings.Ports ?? {}).flatMap((b) => (b ?? []).map((x) => x.HostPort));
  return published.length > 0 && !published.includes(port);
}

export function createHealthActivities({ docker, socketPath, log, deploymentLog }: Deps) {
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

  /**
   * Why a replica that did not answer never will (it is gone, it exited); null while it still
   * may. What the engine's restart did (stopped it, or started it again on another port) is no
   * verdict on the app: it goes to the engine guard, which runs the step again.
   */
  async function exited(endpoint: Endpoint): Promise<string | null> {
    let info: Docker.ContainerInspectInfo;
    try {
      info = await docker.getContainer(endpoint.containerId).inspect();
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await confirmEngineHere(socketPath, `replica ${endpoint.replica} is gone`);
      return 'the container is gone';
    }
    if (!info.State.Running) {
      await confirmEngineHere(socketPath, `replica ${endpoint.replica} stopped`);
      return `the container exited with code ${info.State.ExitCode}`;
    }
    // Started again, but not by its own restart policy (that counts restarts): the engine restarted.
    const { started } = endpoint;
    if (started && info.State.StartedAt !== started.at && info.RestartCount === started.restarts && publishedElsewhere(info, endpoint.url)) {
      throw new EngineAwayError(`the engine restarted replica ${endpoint.replica} on another port`);
    }
    return null;
  }

  async function gateOne(deploymentId: string, endpoint: Endpoint, check: HealthCheck, signal: AbortSignal): Promise<ProbeResult> {
    const ctx = Context.current();
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
        const gone = result.status === null ? await exited(endpoint) : null;
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
      await withHeartbeat(async (cancelled) => {
        // One replica's end (a verdict, the engine going away) ends its siblings' probing too.
        const ended = new AbortController();
        const signal = AbortSignal.any([cancelled, ended.signal]);
        try {
          await Promise.all(input.endpoints.map((e) => gateOne(input.deploymentId, e, input.check, signal)));
        } finally {
          ended.abort();
        }
      });
      const ms = Date.now() - started;
      log.debug({ deploymentId: input.deploymentId, ms }, 'health gate passed');
      await deploymentLog.write(input.deploymentId, 'info', 'health', `${input.endpoints.length} replica(s) healthy after ${ms} ms`);
      return { ms };
    },
  };
}

export type HealthActivities = ReturnType<typeof createHealthActivities>;
