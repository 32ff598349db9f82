import { setTimeout as sleep } from 'node:timers/promises';
import type { TestBerth } from './berth.js';

/** Polls until `check` returns a value (not undefined/false), or fails after the timeout. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

const FINAL = ['succeeded', 'failed', 'cancelled', 'superseded', 'rolled-back'];

/** Waits until the deployment reaches a final status; returns it as the API shows it. */
export async function waitForDeployment(berth: TestBerth, id: string, timeoutMs = 60_000) {
  return waitFor(
    `deployment ${id} to finish`,
    async () => {
      const res = await berth.api('GET', `/api/v1/deployments/${id}`);
      return FINAL.includes(res.body?.status) ? res.body : undefined;
    },
    timeoutMs,
    100,
  );
}

export async function waitForStatus(berth: TestBerth, id: string, status: string, timeoutMs = 60_000) {
  return waitFor(`deployment ${id} to be ${status}`, async () => {
    const res = await berth.api('GET', `/api/v1/deployments/${id}`);
    return res.body?.status === status ? res.body : undefined;
  }, timeoutMs);
}
