// Instance-wide events reach the instance's channels: the Docker root below
// BERTH_DISK_CLEANUP_FREE_MB (set above what is free, so the real disk is "low") is told once as
// disk.low, however many checks find it low; a secret key rotation that retires the old key is
// told once as secrets.key_rotated. A project's channel hears of neither.
import { statfsSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startBerth, type TestBerth } from '../support/berth.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.js';
import { waitFor } from '../support/wait.js';

let berth: TestBerth;
let http: HttpReceiver;

interface Delivered {
  type: string;
  data: { title: string; text: string; facts: Record<string, string>; projectId: string | null };
}
const delivered = (path: string): Delivered[] => http.accepted(path).map((r) => JSON.parse(r.body) as Delivered);

beforeAll(async () => {
  http = await startHttpReceiver();
  const s = statfsSync('/var/lib/docker');
  const lowMb = Math.ceil((s.bavail * s.bsize) / 1024 / 1024) + 1024;
  berth = await startBerth({
    // Builds and pulls keep their own lower guard; the cleanup keeps the build cache (shared engine).
    env: { BERTH_DISK_CLEANUP_FREE_MB: String(lowMb), BERTH_DISK_CHECK_SECONDS: '1', BERTH_BUILD_CACHE_MAX_AGE_HOURS: '8760' },
    workers: false,
  });
  const all = await berth.api('POST', '/api/v1/notification-channels', { name: 'ops', destination: { kind: 'webhook', url: http.url('/ops') }, subscriptions: [{ events: ['disk.low', 'secrets.key_rotated'] }] });
  expect(all.status, JSON.stringify(all.body)).toBe(201);
  expect((await berth.api('POST', '/api/v1/projects', { name: 'p-host' })).status).toBe(201);
  const project = await berth.api('POST', '/api/v1/projects/p-host/notification-channels', { name: 'team', destination: { kind: 'webhook', url: http.url('/team') } });
  expect(project.status, JSON.stringify(project.body)).toBe(201);
  await berth.startWorkers();
}, 120_000);

afterAll(async () => {
  await berth?.close();
  await http?.close();
});

test('a Docker root short of disk is told once to the instance’s channels', async () => {
  const low = await waitFor('disk.low', async () => delivered('/ops').find((d) => d.type === 'disk.low'), 20_000, 100);
  expect(low.data.projectId).toBeNull();
  expect(low.data.facts).toMatchObject({ host: berth.config.hostId, path: '/var/lib/docker' });
  expect(Number(low.data.facts.freeBytes)).toBeLessThan(Number(low.data.facts.thresholdBytes));
  expect(low.data.title).toMatch(/ free on the Docker root$/);
  // Checked every second, still low: nothing more.
  await new Promise((r) => setTimeout(r, 3000));
  expect(delivered('/ops').filter((d) => d.type === 'disk.low')).toHaveLength(1);
  expect(delivered('/team')).toEqual([]);
}, 30_000);

test('a finished key rotation is told once, naming the new key and the retired one', async () => {
  const started = await berth.api('POST', '/api/v1/admin/keys/rotate', {});
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const rotated = await waitFor('secrets.key_rotated', async () => delivered('/ops').find((d) => d.type === 'secrets.key_rotated'), 40_000, 200);
  const keyId = (started.body as { keyId: string }).keyId;
  expect(rotated.data.facts.keyId).toBe(keyId);
  expect((rotated.data.facts.retired ?? '').split(',').filter(Boolean).length).toBeGreaterThanOrEqual(1);
  expect(rotated.data.facts.retired).not.toContain(keyId);
  await new Promise((r) => setTimeout(r, 1000));
  expect(delivered('/ops').filter((d) => d.type === 'secrets.key_rotated')).toHaveLength(1);
  expect(delivered('/team')).toEqual([]);
}, 60_000);
