// Canary and blue-green for a stack (src/domain/canary.ts, src/domain/blue-green.ts): each
// exposed service of a new spec is a new Swarm service beside the previous one, which runs on
// until the prune, so the rollout can hold that service's route on the previous release while
// the strategy runs — its route weighted between the previous tasks (stable) and the new ones
// (canary), or the new tasks answering on a preview host name of their own — and switch it
// after. Services that are not exposed have no second copy: the rollout updates them in place,
// as an all-at-once rollout does, before the strategy starts.
import type { StackPlan } from './stack.js';

/**
 * The exposed services a strategy can move: long-running (not a one-shot) and with tasks (not
 * scaled to 0 replicas, which gets no route at all).
 */
export function strategyServices(plan: StackPlan): string[] {
  return Object.values(plan.services)
    .filter((s) => s.expose !== null && !s.completes && s.replicas !== 0)
    .map((s) => s.name)
    .sort();
}

/** Why a stack cannot run `strategy`, or null when it can. */
export function refuseStackStrategy(plan: StackPlan, strategy: 'canary' | 'blue-green'): string | null {
  if (strategyServices(plan).length > 0) return null;
  return `${strategy} moves the traffic of exposed services, and this stack has no long-running exposed service with replicas (x-berth on a service that is not a one-shot nor scaled to 0)`;
}

/** What a held route's service did in this rollout: a new Swarm service beside the previous one, or the same. */
export type HeldChange = 'created' | 'updated' | 'unchanged';

/** Held routes the strategy moves: those of a new Swarm service with tasks; the others are switched as they are. */
export function strategyRoutes<T extends { service: string; change: HeldChange; servers: string[] }>(plan: StackPlan, held: T[]): T[] {
  const eligible = new Set(strategyServices(plan));
  return held.filter((h) => eligible.has(h.service) && h.change === 'created' && h.servers.length > 0);
}
