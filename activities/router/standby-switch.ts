// The route-only rollback: the release asked for is the environment's hot standby, its
// containers still run, so making it live again is the switch of the route alone — no
// container is created or started. The lane runs it itself (workflows/standby-switch.ts): the
// checks and the route file in a local activity of the workflow task that accepts the
// rollback, the confirmation through Traefik as an activity of its own queue after the API has
// its answer (or, in histories from before, the whole switch as one local activity). That
// spares the deploy workflow's start and the host's task queue; the deployment is still one
// row with its phases, recorded here.
//
// Anything that does not hold — the window closed, the route in place is not the one whose
// predecessor is the standby, a standby server that does not pass its health check, a
// switch Traefik does not confirm — answers `switched: false` with the reason, leaving the
// previous route in place, and the lane runs the ordinary rollback instead.
import { setTimeout as sleep } from 'node:timers/promises';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { deployments, environments, releases } from '../../db/schema/index.js';
import type { DeployRequest } from '../../src/domain/deployment.js';
import type { PhaseWrite } from '../../src/domain/phases.js';
import { laneWorkflowId } from '../../src/domain/workflow-ids.js';
import { DEPLOYMENT_HEADER, withoutSplit, type RouteSpec } from '../../src/domain/route.js';
import { probeHttp } from '../../src/http-probe.js';
import type { Logger } from '../../src/logger.js';
import { Context } from '@temporalio/activity';
import { HEARTBEAT_EVERY_MS } from '../heartbeat.js';
import { createDeploymentLog } from '../store/deployment-log.js';
import { recordReport } from '../store/deployments.js';
import { standbyRelease } from '../store/standby.js';
import type { RouteFiles } from './route-files.js';

/**
 * The entrypoint is polled this often until it answers from the new route: Traefik applies a
 * file within tens of milliseconds, and a poll of a loopback entrypoint costs well under one.
 */
const CONFIRM_POLL_MS = 2;

/**
 * As the lane's own task the confirmation is off the caller's path (the API has answered, the
 * client sees Traefik's answer itself): a slower poll leaves the CPU to the answer and the
 * caller, while the lane still frees within a poll of Traefik serving the route.
 */
const CONFIRM_POLL_TASK_MS = 10;

/** When the switch began, its checks passed and its route was written (epoch ms, fractional). */
export interface WriteTimes {
  started: number;
  checked: number;
  written: number;
}

/** A route written (or found written) for the switch, with what the confirmation needs. */
interface Written extends WriteTimes {
  route: RouteSpec;
  liveBefore: string | null;
  number: number;
  check: { path: string; expectedStatus: number; timeoutMs: number };
}

const clock = () => performance.timeOrigin + performance.now();

/** The route saved beside the one in place (what it replaced), as the route files read it. */
type Saved = Awaited<ReturnType<RouteFiles['readPrevious']>>;

export type StandbySwitch =
  | { switched: true; number: number; servers: string[]; ms: number; phases: PhaseWrite[]; standbyReleaseId: string | null } | { switched: false; reason: string };

interface Deps {
  db: Db;
  files: RouteFiles;
  /** Writes a route (or the previous one back) and waits until Traefik's API shows it. */
  apply(environmentId: string, route: RouteSpec | null, signal: AbortSignal): Promise<void>;
  /** Where a confirmation probe of a host goes (the HTTPS entrypoint when HTTP only redirects). */
  entryFor(route: RouteSpec, host: string): string;
  /** How long Traefik may take to serve the route before the switch is given up. */
  liveTimeoutMs: number;
  log: Logger;
}

export function createStandbySwitch({ db, files, apply, entryFor, liveTimeoutMs, log }: Deps) {
  const logs = createDeploymentLog(db, log);
  const releaseOf = async (deploymentId: string) =>
    (await db.select({ releaseId: deployments.releaseId }).from(deployments).where(eq(deployments.id, deploymentId)))[0]?.releaseId ?? null;

  /** The standby's servers and the release live now, when every precondition holds; else why not. */
  async function preconditions(request: DeployRequest, read: { current: RouteSpec | null; standby: string | null; saved: Saved }): Promise<{ servers: string[]; liveReleaseId: string | null } | string> {
    const { releaseId } = request;
    const { current, standby, saved } = read;
    if (standby !== releaseId) return `release ${releaseId} is not in its standby window`;
    const previous = saved?.previous;
    if (!current || !previous || saved.deploymentId !== current.deploymentId) return 'the route in place has no previous route to go back to';
    // A changed HTTPS setting wants its certificate synced first: the ordinary switch does that.
    if (JSON.stringify(current.tls ?? null) !== JSON.stringify(request.tls ?? null)) return "the environment's HTTPS settings changed since the route was written";
    const [owner, liveReleaseId] = await Promise.all([releaseOf(previous.deploymentId), releaseOf(current.deploymentId)]);
    if (owner !== releaseId) return `the previous route does not lead to release ${releaseId}`;
    return { servers: previous.servers, liveReleaseId };
  }

  /** Answers through the entrypoint come from the route's deployment and pass the health check. */
  async function confirm(route: RouteSpec, check: { path: string; expectedStatus: number; timeoutMs: number }, { signal, pollMs }: ReturnType<typeof activityContext>): Promise<void> {
    const host = route.hosts[0] as string;
    const url = `${entryFor(route, host)}${check.path}`;
    const deadline = Date.now() + liveTimeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      // No probe outlasts the wait for Traefik (the app's check may allow up to two minutes).
      const timeoutMs = Math.max(1, Math.min(check.timeoutMs, deadline - Date.now()));
      const res = await probeHttp(url, { host, timeoutMs, expectedStatus: check.expectedStatus, signal });
      const from = res.headers[DEPLOYMENT_HEADER.toLowerCase()];
      if (from === route.deploymentId && res.ok) return;
      // The standby itself answering badly through Traefik ends the wait at once.
      if (from === route.deploymentId) throw new Error(`through Traefik, ${host}${check.path} answered ${res.reason}`);
      last = res.reason ?? `answered from ${String(from)}`;
      await sleep(pollMs, undefined, { signal });
    }
    throw new Error(`Traefik did not serve the route within ${liveTimeoutMs} ms (${last})`);
  }

  /** The cancellation signal and a heartbeat (as the lane's own task; a local activity has none). */
  function activityContext() {
    const ctx = Context.current();
    const beat = () => (ctx.info.isLocal ? undefined : ctx.heartbeat());
    return { signal: ctx.cancellationSignal, beat, pollMs: ctx.info.isLocal ? CONFIRM_POLL_MS : CONFIRM_POLL_TASK_MS };
  }

  /**
   * Beats on a timer while the switch runs: one probe may take as long as the app's
   * health-check timeout, far above the heartbeat timeout, and a task that stops beating is
   * timed out and retried while it still runs.
   */
  async function beating<T>(beat: () => void, work: () => Promise<T>): Promise<T> {
    beat();
    const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Checks and writes the standby's route (or finds it written by an earlier attempt); a string
   * says why not. Nothing is written before `recorded` (the request's record) has resolved.
   */
  async function writeRoute(request: DeployRequest, signal: AbortSignal, recorded: Promise<void> = Promise.resolve()): Promise<Written | string> {
    const { deploymentId, environmentId } = request;
    const releaseId = request.releaseId as string;
    const started = clock();
    // Every read the checks need in one round: each is a round trip on the answer's path.
    const [[release], current, standby, saved] = await Promise.all([
      db.select({ config: releases.config, number: releases.number }).from(releases).where(eq(releases.id, releaseId)),
      files.read(environmentId),
      standbyRelease(db, environmentId),
      files.readPrevious(environmentId),
    ]);
    if (!release) return `release ${releaseId} not found`;
    const check = release.config.healthCheck;
    if (current?.deploymentId === deploymentId) {
      // A retry: this switch's route is written already; what it replaced was saved the first time.
      const liveBefore = saved?.previous ? await releaseOf(saved.previous.deploymentId) : null;
      return { route: current, liveBefore, number: release.number, check, started, checked: started, written: clock() };
    }
    const ready = await preconditions(request, { current, standby, saved });
    if (typeof ready === 'string') return ready;
    // The standby may have died (or its engine restarted it elsewhere): its health check,
    // straight to each server, decides before any traffic moves.
    const probes = await Promise.all(ready.servers.map((s) => probeHttp(`${s}${check.path}`, { timeoutMs: check.timeoutMs, expectedStatus: check.expectedStatus, signal })));
    const failed = probes.findIndex((p) => !p.ok);
    if (failed >= 0) return `standby ${ready.servers[failed]} failed its health check: ${probes[failed]?.reason}`;
    const route = { environmentId, deploymentId, hosts: request.hosts, servers: ready.servers, tls: request.tls };
    await recorded;
    const checked = clock();
    await files.savePrevious(environmentId, { deploymentId, previous: current ? withoutSplit(current) : null });
    await files.write(route);
    return { route, liveBefore: ready.liveReleaseId, number: release.number, check, started, checked, written: clock() };
  }

  /** Waits until Traefik serves the written route, then makes the release live; not served: the previous route goes back. */
  async function confirmRoute(request: DeployRequest, w: Written, context: ReturnType<typeof activityContext>): Promise<StandbySwitch> {
    const { deploymentId, environmentId } = request;
    const releaseId = request.releaseId as string;
    const now = Date.now();
    // While Traefik loads the file: the deployment's progress so far.
    const running = recordReport(db, {
      deploymentId,
      running: true,
      phases: [
        { phase: 'queued', outcome: 'succeeded', at: now },
        { phase: 'health', outcome: 'succeeded', message: `standby answers (${w.route.servers.length} server(s))`, at: now },
        { phase: 'route', outcome: 'running', at: now },
      ],
    });
    try {
      await confirm(w.route, w.check, context);
    } catch (err) {
      await running.catch(() => undefined);
      // Cancelled (timed out, or the lane gone): another attempt may own the switch by now and
      // have made the release live — putting the previous route back would undo it under a
      // database that says otherwise. The attempt ends; whoever runs next decides.
      if (context.signal.aborted) throw err;
      const saved = await files.readPrevious(environmentId);
      if (saved?.deploymentId === deploymentId) await apply(environmentId, saved.previous, AbortSignal.timeout(liveTimeoutMs)).catch(() => undefined);
      log.warn({ environmentId, deploymentId, err }, 'standby switch not confirmed; the ordinary rollback follows');
      return { switched: false, reason: `the switch was not confirmed: ${(err as Error).message}` };
    }
    await running;
    // Cancelled meanwhile (the lane may restore the previous route once this attempt has failed): not made live.
    context.signal.throwIfAborted();
    const ms = clock() - w.started;
    const spent = `checks ${Math.round(w.checked - w.started)} ms, write ${Math.round(w.written - w.checked)} ms, Traefik ${Math.round(ms - (w.written - w.started))} ms`;
    // The release that was live waits in standby in its turn (the window closes when the
    // environment has none any more); the deployment's row names the release and the lane.
    const seconds = request.standbySeconds ?? 0;
    const standbyReleaseId = seconds > 0 && w.liveBefore !== releaseId ? w.liveBefore : null;
    const phases: PhaseWrite[] = [{ phase: 'route', outcome: 'succeeded', message: `route-only switch to the standby in ${Math.round(ms)} ms (${spent})`, at: Date.now() }];
    await Promise.all([
      db
        .update(environments)
        .set({ liveReleaseId: releaseId, liveDeploymentId: deploymentId, standbyReleaseId, standbyUntil: standbyReleaseId ? new Date(Date.now() + seconds * 1000) : null, updatedAt: sql`now()` })
        .where(eq(environments.id, environmentId)),
      db.update(deployments).set({ releaseId, workflowId: laneWorkflowId(environmentId) }).where(eq(deployments.id, deploymentId)),
      recordReport(db, { deploymentId, phases }),
    ]);
    return { switched: true, number: w.number, servers: w.route.servers, ms, phases, standbyReleaseId };
  }

  const notSwitched = async (request: DeployRequest, reason: string) => {
    // Why not is in the deployment's log: the ordinary rollback that follows records the rest.
    await logs.write(request.deploymentId, 'warn', 'route', `no route-only switch to the standby: ${reason}`);
    return { switched: false as const, reason };
  };

  return {
    /**
     * Switches the environment's route to its standby release, or says why it did not: the
     * whole switch, or (`prior`) the confirmation of a route writeStandbyRoute wrote. Idempotent.
     */
    async switchToStandby(input: { request: DeployRequest; prior?: WriteTimes }): Promise<StandbySwitch> {
      const context = activityContext();
      return beating(context.beat, async () => {
        const w = await writeRoute(input.request, context.signal);
        if (typeof w === 'string') return notSwitched(input.request, w);
        const result = await confirmRoute(input.request, input.prior ? { ...w, ...input.prior } : w, context);
        if (!result.switched) await notSwitched(input.request, result.reason);
        return result;
      });
    },
    /**
     * The switch's first half, in the lane's workflow task: checks and the route file written.
     * Traefik loads it while the lane answers the API; switchToStandby confirms it after.
     */
    async writeStandbyRoute(input: { request: DeployRequest; recorded?: Promise<void> }): Promise<{ written: true; times: WriteTimes } | { written: false; reason: string }> {
      // An error (the release's lookup, a route file read or written) is "not written" too: the
      // request is recorded by now, and retrying would only fail it while the ordinary rollback
      // could still carry it out. What was written is no concern: the ordinary one writes its own.
      const recorded = input.recorded ?? Promise.resolve();
      recorded.catch(() => undefined); // awaited below: a request not recorded fails the activity
      const w = await writeRoute(input.request, activityContext().signal, recorded).catch((err: unknown) => `the route could not be written: ${(err as Error).message}`);
      await recorded;
      if (typeof w === 'string') {
        await notSwitched(input.request, w);
        return { written: false, reason: w };
      }
      return { written: true, times: { started: w.started, checked: w.checked, written: w.written } };
    },
  };
}
