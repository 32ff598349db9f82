import { createServer, type Server } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { ensurePortFree } from '../../src/services/port-free.js';
import { portHolder } from '../../src/services/port-holder.js';
import { freePort } from '../support/free-port.js';

let server: Server | null = null;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

test('the process listening on a port is named, and a free port names nobody', async () => {
  const port = await freePort();
  expect(portHolder(port)).toBeNull();
  server = createServer();
  await new Promise<void>((resolve) => server?.listen({ host: '127.0.0.1', port }, resolve));
  expect(portHolder(port)).toMatch(new RegExp(`^pid ${process.pid} \\(.*node`));
});

test('a port freed while waiting is accepted', async () => {
  const port = await freePort();
  server = createServer();
  await new Promise<void>((resolve) => server?.listen({ host: '127.0.0.1', port }, resolve));
  const held = server;
  server = null;
  setTimeout(() => held.close(), 300);
  const started = Date.now();
  await ensurePortFree('127.0.0.1', port, 'test');
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
});
