// Docker steps that outlive a restart of the engine. When the engine goes away under a step
// (engine-away.ts), the step waits, heartbeating, until the engine answers on a fresh connection
// and then runs again from its start. Every Docker step finds its objects by the deployment's
// names and labels (get-or-create, start-if-stopped, stop-if-running), so running it again picks
// up what the engine kept (containers restarted by their policy, stopped by the shutdown, or
// never made) and does only what is missing; nothing is made twice.
//
// Waiting here rather than failing the attempt keeps the step's retry attempts for real
// failures: a restart takes seconds (its containers' stop timeouts), longer than the quick
// backoff of the Docker profile allows. The wait ends at the attempt's own deadline; past it, or
// when the engine keeps going away, the step fails retryably as Unavailable.
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { permanentFailure, retryableFailure } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { engineAnswers, isEngineAwayNow, phaseOf } from './engine-away.js';

/** How often a waiting step asks whether the engine is back. */
export const ENGINE_POLL_MS = 250;
/** Returns of the engine one attempt rides out; more means something keeps taking it away. */
export const MAX_ENGINE_RETURNS = 5;
/** Kept free at the end of an attempt's start-to-close timeout, to fail with a reason, not time out. */
const DEADLINE_MARGIN_MS = 5000;
/** Outside an activity (no attempt deadline): the longest wait for the engine. */
const WAIT_OUTSIDE_ACTIVITY_MS = 120_000;

interface Deps {
  socketPath: string;
  log: Logger;
  deploymentLog: DeploymentLog;
  /**
   * What "back" means beyond answering a ping: a Swarm step needs the engine's Swarm control
   * too, which comes up some seconds after the engine (until then its calls end in a 503 naming
   * the missing control socket).
   */
  ready?: () => Promise<boolean>;
}

// Activities take one input object (or none); the guard reads a deploymentId from it when present.
// (`never[]` admits every activity's own parameter list.)
type Step = (...args: never[]) => Promise<unknown>;

function currentContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

export function createEngineGuard({ socketPath, log, deploymentLog, ready }: Deps) {
  async function waitForEngine(ctx: Context | null, deadline: number, what: string): Promise<number> {
    const started = Date.now();
    for (;;) {
      // Before each ask too: an engine that does not answer at all costs a whole ask's timeout.
      ctx?.heartbeat({ waitingFor: 'docker engine', ms: Date.now() - started });
      if ((await engineAnswers(socketPath)) && (!ready || (await ready().catch(() => false)))) return Date.now() - started;
      if (Date.now() + ENGINE_POLL_MS > deadline) {
        throw retryableFailure('Unavailable', `the Docker engine went away during ${what} and did not answer again within ${Math.round((Date.now() - started) / 1000)} s`);
      }
      await sleep(ENGINE_POLL_MS, undefined, ctx ? { signal: ctx.cancellationSignal } : {});
    }
  }

  /** `step`, run again from its start each time the engine comes back from under it. */
  function guard<S extends Step>(name: string, step: S): S {
    const guarded = async (...args: unknown[]) => {
      const ctx = currentContext();
      const deadline = ctx
        ? ctx.info.currentAttemptScheduledTimestampMs + ctx.info.startToCloseTimeoutMs - DEADLINE_MARGIN_MS
        : Date.now() + WAIT_OUTSIDE_ACTIVITY_MS;
      const input = args[0] as { deploymentId?: unknown; engineWaitMs?: unknown } | undefined;
      const deploymentId = typeof input?.deploymentId === 'string' ? input.deploymentId : null;
      // A caller with somewhere else to turn (reconcile of a spread host: the other hosts serve)
      // bounds the wait, and hears of an engine still away as final rather than after retries.
      const bounded = typeof input?.engineWaitMs === 'number' ? input.engineWaitMs : null;
      for (let returns = 0; ; returns++) {
        try {
          return await step(...(args as never[]));
        } catch (err) {
          // The step's own heartbeats stopped with it; telling why may take a ping's timeout.
          ctx?.heartbeat({ failed: name });
          if (ctx?.cancellationSignal.aborted || !(await isEngineAwayNow(err, socketPath))) throw err;
          const reason = err instanceof Error ? err.message : String(err);
          if (returns >= MAX_ENGINE_RETURNS) {
            throw retryableFailure('Unavailable', `the Docker engine went away ${returns + 1} times during ${name}; last: ${reason}`);
          }
          const phase = phaseOf(err);
          const during = phase ? `${name} (${phase})` : name;
          log.warn({ activity: name, phase, deploymentId, reason }, 'docker engine away; waiting for it');
          if (deploymentId) await deploymentLog.write(deploymentId, 'warn', phase, `the Docker engine went away during ${during}: ${reason}; waiting for it`);
          const ms = await waitForEngine(ctx, bounded === null ? deadline : Math.min(deadline, Date.now() + bounded), during).catch((away: unknown) => {
            throw bounded === null ? away : permanentFailure('Unavailable', (away as Error).message);
          });
          log.info({ activity: name, deploymentId, ms }, 'docker engine back; running the step again');
          if (deploymentId) await deploymentLog.write(deploymentId, 'info', phase, `the Docker engine answers again after ${ms} ms; ${name} runs again from what it kept`);
        }
      }
    };
    // Takes and returns what `step` does.
    return guarded as unknown as S;
  }

  /** Every activity of a group, guarded. */
  function guardAll<T extends Record<string, Step>>(activities: T): T {
    return Object.fromEntries(Object.entries(activities).map(([name, step]) => [name, guard(name, step)])) as T;
  }

  return { guard, guardAll };
}

export type EngineGuard = ReturnType<typeof createEngineGuard>;
