// The route-only rollback: the release asked for is the environment's hot standby, its
// containers still run, so making it live again is the switch of the route alone — no
// container is created or started. The lane runs this as a local activity beside itself
// (workflows/standby-switch.ts), which spares the deploy workflow's start and the host's
// task queue; the deployment is still one row with its phases, recorded here.
//
// Anything that does not hold — the window closed, the route in place is not the one whose
// predecessor is the standby, a standby server that does not pass its health check, a
// switch Traefik does not confirm — answers `switched: false` with the reason, leaving the
// previous route in place, and the lane runs the ordinary rollback instead.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deployments, environments, releases } from '../../db/schema/index.js';
import type { DeployRequest } from '../../src/domain/deployment.js';
import type { PhaseWrite } from '../../src/domain/phases.js';
import { laneWorkflowId } from '../../src/domain/workflow-ids.js';
import { withoutSplit, type RouteSpec } from '../../src/domain/route.js';
import { probeHttp } from '../../src/http-probe.js';
import type { Logger } from '../../src/logger.js';
import { Context } from '@temporalio/activity';
import { createDeploymentLog } from '../store/deployment-log.js';
import { recordReport } from '../store/deployments.js';
import { standbyRelease } from '../store/standby.js';
import type { RouteFiles } from './route-files.js';

/** Answers through Traefik, from the switched route, that must pass (as after a deploy's switch). */
const VERIFY_ATTEMPTS = 2;

export type StandbySwitch = { switched: true; number: number; servers: string[]; ms: number; phases: PhaseWrite[] } | { switched: false; reason: string };

interface Deps {
  db: Db;
  files: RouteFiles;
  /** Writes the route (or the previous one back) and waits until Traefik's API shows it. */
  apply(environmentId: string, route: RouteSpec | null, signal: AbortSignal): Promise<void>;
  /** Answers through the entrypoint come from the route's deployment and pass the check. */
  confirm(route: RouteSpec, check: { path: string; expectedStatus: number; attempts: number; timeoutMs: number }, signal: AbortSignal): Promise<void>;
  log: Logger;
}

export function createStandbySwitch({ db, files, apply, confirm, log }: Deps) {
  const logs = createDeploymentLog(db, log);
  /** The standby's servers, when every precondition of a route-only switch holds; else why not. */
  async function standbyServers(request: DeployRequest, current: RouteSpec | null): Promise<string[] | string> {
    const { environmentId, releaseId } = request;
    if ((await standbyRelease(db, environmentId)) !== releaseId) return `release ${releaseId} is not in its standby window`;
    const saved = await files.readPrevious(environmentId);
    const previous = saved?.previous;
    if (!current || !previous || saved.deploymentId !== current.deploymentId) return 'the route in place has no previous route to go back to';
    const [owner] = await db.select({ releaseId: deployments.releaseId }).from(deployments).where(eq(deployments.id, previous.deploymentId));
    if (owner?.releaseId !== releaseId) return `the previous route does not lead to release ${releaseId}`;
    return previous.servers;
  }

  return {
    /** Switches the environment's route to its standby release, or says why it did not. Idempotent. */
    async switchToStandby(input: { request: DeployRequest }): Promise<StandbySwitch> {
      const result = await attempt(input.request);
      // Why not is in the deployment's log: the ordinary rollback that follows records the rest.
      if (!result.switched) await logs.write(input.request.deploymentId, 'warn', 'route', `no route-only switch to the standby: ${result.reason}`);
      return result;
    },
  };

  async function attempt(request: DeployRequest): Promise<StandbySwitch> {
    const { deploymentId, environmentId } = request;
    const releaseId = request.releaseId as string;
    // A local activity: short, no heartbeat; its cancellation still reaches the probes.
    const signal = Context.current().cancellationSignal;
    const started = performance.now();
    const [release] = await db.select({ config: releases.config, number: releases.number }).from(releases).where(eq(releases.id, releaseId));
    if (!release) return { switched: false, reason: `release ${releaseId} not found` };
    const check = release.config.healthCheck;
    const verify = { path: check.path, expectedStatus: check.expectedStatus, attempts: VERIFY_ATTEMPTS, timeoutMs: check.timeoutMs };
    const current = await files.read(environmentId);
    let route: RouteSpec;
    if (current?.deploymentId === deploymentId) {
      route = current; // a retry: this switch's route is written already
    } else {
      const servers = await standbyServers(request, current);
      if (typeof servers === 'string') return { switched: false, reason: servers };
      // The standby may have died (or its engine restarted it elsewhere): its health check,
      // straight to each server, decides before any traffic moves.
      const probes = await Promise.all(servers.map((s) => probeHttp(`${s}${check.path}`, { timeoutMs: check.timeoutMs, expectedStatus: check.expectedStatus, signal })));
      const failed = probes.findIndex((p) => !p.ok);
      if (failed >= 0) return { switched: false, reason: `standby ${servers[failed]} failed its health check: ${probes[failed]?.reason}` };
      await recordReport(db, {
        deploymentId,
        running: true,
        phases: [
          { phase: 'queued', outcome: 'succeeded', at: Date.now() },
          { phase: 'health', outcome: 'succeeded', message: `standby answers (${servers.length} server(s))`, at: Date.now() },
          { phase: 'route', outcome: 'running', at: Date.now() },
        ],
      });
      route = { environmentId, deploymentId, hosts: request.hosts, servers, tls: request.tls };
      await files.savePrevious(environmentId, { deploymentId, previous: current ? withoutSplit(current) : null });
    }
    try {
      await apply(environmentId, route, signal);
      await confirm(route, verify, signal);
    } catch (err) {
      const saved = await files.readPrevious(environmentId);
      if (saved?.deploymentId === deploymentId) await apply(environmentId, saved.previous, signal).catch(() => undefined);
      log.warn({ environmentId, deploymentId, err }, 'standby switch not confirmed; the ordinary rollback follows');
      return { switched: false, reason: `the switch was not confirmed: ${(err as Error).message}` };
    }
    const ms = performance.now() - started;
    // The deployment made the release live: its row says so (and which workflow ran it: the lane).
    await db.update(deployments).set({ releaseId, workflowId: laneWorkflowId(environmentId) }).where(eq(deployments.id, deploymentId));
    await db.update(environments).set({ liveReleaseId: releaseId, liveDeploymentId: deploymentId, updatedAt: sql`now()` }).where(eq(environments.id, environmentId));
    const phases: PhaseWrite[] = [{ phase: 'route', outcome: 'succeeded', message: `route-only switch to the standby in ${Math.round(ms)} ms`, at: Date.now() }];
    await recordReport(db, { deploymentId, phases });
    return { switched: true, number: release.number, servers: route.servers, ms, phases };
  }
}
