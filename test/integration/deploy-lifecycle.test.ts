// Image deployments against the real Docker engine, Temporal server, Traefik and PostgreSQL:
// v1 → v2, an unhealthy v3 that never takes traffic, a rollback to a retained release, and a
// cancelled deploy that undoes its own work.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inject } from 'vitest';
import { IMAGE_PHASES } from '../../src/domain/phases.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startLoad } from '../support/load.js';
import { throughTraefik } from '../support/traefik.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const tags = {
  v1: 'berth-test/life:v1',
  v2: 'berth-test/life:v2',
  bad: 'berth-test/life:bad',
  slow: 'berth-test/life:slow',
};
let berth: TestBerth;
let fx: AppFixture;

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.v2, { version: 'v2' });
  buildHello(tags.bad, { version: 'v3', healthy: false });
  buildHello(tags.slow, { version: 'slow', startDelay: 3 });
  berth = await startBerth();
  fx = await createImageApp(berth, {
    app: 'life',
    healthCheck: { intervalMs: 100, startPeriodMs: 500, failureThreshold: 3 },
    environment: { drainSeconds: 1 },
  });
});

afterAll(async () => {
  await berth?.close();
  removeImages(...Object.values(tags));
});

const body = async () => (await throughTraefik(fx.host)).body.trim();

describe('image deployments', () => {
  const ids: Record<string, string> = {};

  test('v1, then v2: traffic moves to v2, v1 is stopped and kept, every phase is recorded', async () => {
    ids.v1 = await deploy(berth, fx, tags.v1);
    expect((await waitForDeployment(berth, ids.v1)).status).toBe('succeeded');
    expect(await body()).toBe('v1');

    ids.v2 = await deploy(berth, fx, tags.v2);
    const d = await waitForDeployment(berth, ids.v2);
    expect(d.status, d.message).toBe('succeeded');
    expect(await body()).toBe('v2');

    expect(d.phases.map((p: { phase: string }) => p.phase)).toEqual([...IMAGE_PHASES]);
    for (const p of d.phases) {
      expect(p.outcome, p.phase).toBe('succeeded');
      expect(Date.parse(p.endedAt)).toBeGreaterThanOrEqual(Date.parse(p.startedAt));
    }

    const containers = await berth.containers(fx.environmentId);
    const byRelease = new Map(containers.map((c) => [c.Labels['berth.deployment'], c.State]));
    expect(byRelease.get(ids.v1)).toBe('exited');
    expect(byRelease.get(ids.v2)).toBe('running');

    const env = await berth.api('GET', fx.base);
    expect(env.body.liveDeploymentId).toBe(ids.v2);
    const releases = await berth.api('GET', `${fx.base}/releases`);
    expect(releases.body.items.map((r: { number: number; live: boolean }) => [r.number, r.live])).toEqual([
      [2, true],
      [1, false],
    ]);
  });

  test('an unhealthy v3 never takes traffic: v2 serves throughout and v3 is removed', async () => {
    const load = startLoad({
      url: inject('services').traefik.entryUrl,
      host: fx.host,
      ratePerSecond: 100,
      maxRequests: 3000,
      maxMs: 30_000,
      acceptBodies: ['v2'],
    });
    ids.v3 = await deploy(berth, fx, tags.bad);
    const d = await waitForDeployment(berth, ids.v3);
    const result = await load.stop();

    expect(d.status).toBe('failed');
    expect(d.errorType).toBe('HealthCheckFailed');
    const health = d.phases.find((p: { phase: string }) => p.phase === 'health');
    expect(health.outcome).toBe('failed');
    expect(health.message).toMatch(/HTTP 404/);
    expect(d.phases.some((p: { phase: string }) => p.phase === 'route')).toBe(false);

    expect(result.sent).toBeGreaterThan(50);
    expect(result.failures).toEqual([]);
    expect([...result.bodies.keys()]).toEqual(['v2']);
    const containers = await berth.containers(fx.environmentId);
    expect(containers.filter((c) => c.Labels['berth.deployment'] === ids.v3)).toEqual([]);
    expect(await body()).toBe('v2');
  });

  test('rollback to the retained v1 reuses its container', async () => {
    const res = await berth.api('POST', `${fx.base}/rollback`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const d = await waitForDeployment(berth, res.body.deploymentId);
    expect(d.status, d.message).toBe('succeeded');
    expect(d.kind).toBe('rollback');
    const create = d.phases.find((p: { phase: string }) => p.phase === 'create');
    expect(create.outcome).toBe('skipped');
    expect(create.message).toMatch(/reusing 1 retained container/);
    expect(await body()).toBe('v1');
    // v1's original container serves again; no new one was made.
    const containers = await berth.containers(fx.environmentId);
    expect(containers.filter((c) => c.Labels['berth.deployment'] === res.body.deploymentId)).toEqual([]);
    expect(containers.find((c) => c.Labels['berth.deployment'] === ids.v1)?.State).toBe('running');
  });

  test('cancelling a deploy in its health gate undoes its work; the live release keeps serving', async () => {
    const id = await deploy(berth, fx, tags.slow);
    await waitFor('the health phase', async () => {
      const d = await berth.api('GET', `/api/v1/deployments/${id}`);
      return d.body.phases.some((p: { phase: string; outcome: string }) => p.phase === 'health' && p.outcome === 'running');
    });
    const cancel = await berth.api('POST', `/api/v1/deployments/${id}/cancel`);
    expect(cancel.status).toBe(202);
    expect(cancel.body.status).toBe('cancelling');
    const d = await waitForDeployment(berth, id);
    expect(d.status).toBe('cancelled');
    expect(d.phases.find((p: { phase: string }) => p.phase === 'health').outcome).toBe('cancelled');
    const containers = await berth.containers(fx.environmentId);
    expect(containers.filter((c) => c.Labels['berth.deployment'] === id)).toEqual([]);
    expect(await body()).toBe('v1');

    const again = await berth.api('POST', `/api/v1/deployments/${id}/cancel`);
    expect(again.status).toBe(409);
  });

  test('progress is streamed as Server-Sent Events until the deployment ends', async () => {
    const id = await deploy(berth, fx, tags.v2);
    const res = await berth.request(`/api/v1/deployments/${id}/events`);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events[events.length - 1]).toBe('end');
    expect(events).toContain('phase');
    expect(events).toContain('log');
    expect(text).toMatch(/"phase":"route"/);
    expect(text).toMatch(/"status":"succeeded"/);
  });
});
