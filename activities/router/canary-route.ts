// A canary's moves on the environment's route file (src/domain/route-split.ts): each step
// rewrites the weights and waits until Traefik's API shows them; the end of a canary puts the
// stable route back as it was; the analysis reads both versions' counters from Traefik's
// per-service metrics, against a baseline taken at the start of the step.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CanaryFigures, SplitMatch } from '../../src/domain/canary.js';
import { routeName, withoutSplit } from '../../src/domain/route.js';
import { canaryServiceName, stableServiceName } from '../../src/domain/route-split.js';
import { BerthError, permanentFailure } from '../../src/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import type { RouteFiles } from './route-files.js';
import type { ServiceWatcher } from './traefik-api.js';
import { countersSince, countersFromWire, countersToWire, p95Ms, readServiceCounters, type WireCounters } from './traefik-metrics.js';

const POLL_MS = 20;

export interface CanaryWeightInput {
  environmentId: string;
  deploymentId: string;
  servers: string[];
  weight: number;
  header?: SplitMatch | null | undefined;
  cookie?: SplitMatch | null | undefined;
}

/** Both versions' counters at one moment, as they travel through Temporal. */
export interface CanaryCounters {
  stable: WireCounters;
  canary: WireCounters;
}

interface WeightedInfo {
  weighted?: { services?: { name: string; weight?: number }[] };
}

export function createCanaryRoutes(deps: { files: RouteFiles; apiUrl: string; watcher: ServiceWatcher; liveTimeoutMs: number }) {
  const { files, apiUrl } = deps;

  /** Traefik's API shows the environment's weighted service with the canary at `weight`. */
  async function weightsLive(environmentId: string, weight: number, signal: AbortSignal): Promise<void> {
    const name = routeName(environmentId);
    const deadline = Date.now() + deps.liveTimeoutMs;
    while (Date.now() < deadline) {
      const res = await fetch(`${apiUrl}/api/http/services/${name}@file`, { signal }).catch(() => null);
      if (res?.ok) {
        const services = ((await res.json()) as WeightedInfo).weighted?.services ?? [];
        const canary = services.find((s) => s.name === `${canaryServiceName(name)}@file` || s.name === canaryServiceName(name))?.weight ?? 0;
        if (services.length > 0 && canary === weight) return;
      }
      await sleep(POLL_MS, undefined, { signal });
    }
    // Retryable: Traefik may be restarting; the file is already in place.
    throw new BerthError('RouteNotLive', `Traefik did not apply the canary's weight of ${environmentId} within ${deps.liveTimeoutMs} ms`);
  }

  return {
    /**
     * Gives the canary `weight` % of the environment's traffic (its header/cookie router too),
     * confirmed by Traefik's API; null when no stable route serves (a first deploy).
     */
    async setCanaryWeight(input: CanaryWeightInput): Promise<{ stableDeploymentId: string } | null> {
      return withHeartbeat(async (signal) => {
        const current = await files.read(input.environmentId);
        // A first deploy: nothing serves yet, no canary to run.
        if (!current) return null;
        if (current.deploymentId === input.deploymentId) {
          throw permanentFailure('Conflict', `no stable route to run a canary beside in ${input.environmentId}`);
        }
        if (current.split && current.split.deploymentId !== input.deploymentId) {
          throw permanentFailure('Conflict', `the route of ${input.environmentId} carries another deployment's canary (${current.split.deploymentId})`);
        }
        const { environmentId, deploymentId, servers, weight, header, cookie } = input;
        await files.write({ ...withoutSplit(current), split: { deploymentId, servers, weight, header, cookie } });
        await weightsLive(environmentId, weight, signal);
        return { stableDeploymentId: current.deploymentId };
      });
    },

    /** Puts the stable route back when this deployment's canary is in place; false when it is not. */
    async endCanary(input: { environmentId: string; deploymentId: string }): Promise<boolean> {
      return withHeartbeat(async (signal) => {
        const current = await files.read(input.environmentId);
        if (current?.split?.deploymentId !== input.deploymentId) return false;
        await files.write(withoutSplit(current));
        await deps.watcher.waitFor(input.environmentId, current.servers, AbortSignal.any([signal, AbortSignal.timeout(deps.liveTimeoutMs)]));
        return true;
      });
    },

    /**
     * Both versions' counters now, and what each answered since `since` (null: the baseline of
     * a step). Null figures when Traefik's metrics are not reachable.
     */
    async readCanaryMetrics(input: { environmentId: string; since: CanaryCounters | null }): Promise<{ now: CanaryCounters | null; figures: CanaryFigures | null }> {
      const name = routeName(input.environmentId);
      const [stable, canary] = await withHeartbeat((signal) => Promise.all([readServiceCounters(apiUrl, `${stableServiceName(name)}@file`, signal), readServiceCounters(apiUrl, `${canaryServiceName(name)}@file`, signal)]));
      if (!stable || !canary) return { now: null, figures: null };
      const now = { stable: countersToWire(stable), canary: countersToWire(canary) };
      if (!input.since) return { now, figures: null };
      const s = countersSince(stable, countersFromWire(input.since.stable));
      const c = countersSince(canary, countersFromWire(input.since.canary));
      return {
        now,
        figures: { stable: { requests: s.requests, errors: s.errors, p95Ms: p95Ms(s) }, canary: { requests: c.requests, errors: c.errors, p95Ms: p95Ms(c) } },
      };
    },
  };
}
