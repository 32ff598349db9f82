// berth notifications against a real Berth and a local receiver: add (the URL on stdin, never
// in argv), list (masked), test, log, remove; bad input exits "rejected".
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/berth-cli.js';
import { startCliBerth, type CliBerth } from '../support/cli-berth.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.js';

let cb: CliBerth;
let http: HttpReceiver;

beforeAll(async () => {
  http = await startHttpReceiver();
  cb = await startCliBerth();
  expect((await cb.berth.api('POST', '/api/v1/projects', { name: 'clin' })).status).toBe(201);
});

afterAll(async () => {
  await cb?.close();
  await http?.close();
});

test('add, list, test, log and remove a channel', async () => {
  const url = http.url('/slack/services/T1/B2/cli-secret-path');
  const added = await runCli(['notifications', 'add', 'deploys', '--project', 'clin', '--kind', 'slack', '--events', 'deploy.failed,deploy.succeeded'], { env: cb.env, input: url });
  expect(added.code, added.stderr).toBe(0);
  const id = added.stdout.trim();
  expect(id).toMatch(/^ntc_/);

  const listed = await runCli(['notifications', 'list', '--project', 'clin', '-o', 'json'], { env: cb.env });
  expect(listed.code).toBe(0);
  const items = JSON.parse(listed.stdout) as { id: string; destination: { url: string }; subscriptions: { events: string[] }[] }[];
  expect(items.map((c) => c.id)).toEqual([id]);
  expect(items[0]?.subscriptions[0]?.events).toEqual(['deploy.failed', 'deploy.succeeded']);
  expect(listed.stdout).not.toContain('cli-secret-path');

  const tested = await runCli(['notifications', 'test', id, '--project', 'clin'], { env: cb.env });
  expect(tested.code, tested.stderr).toBe(0);
  expect(tested.stderr).toContain('sent (200)');
  expect(http.accepted('/slack/services/T1/B2/cli-secret-path')).toHaveLength(1);

  const log = await runCli(['notifications', 'log', id, '--project', 'clin', '-o', 'json'], { env: cb.env });
  expect((JSON.parse(log.stdout) as { eventType: string; status: string }[]).map((m) => [m.eventType, m.status])).toEqual([['test', 'sent']]);

  const bad = await runCli(['notifications', 'add', 'x', '--project', 'clin', '--kind', 'slack', '--events', 'deploy.exploded'], { env: cb.env, input: url });
  expect(bad.code).toBe(7);

  expect((await runCli(['notifications', 'remove', id, '--project', 'clin'], { env: cb.env })).code).toBe(0);
  expect((await runCli(['notifications', 'test', id, '--project', 'clin'], { env: cb.env })).code).toBe(6);
});
