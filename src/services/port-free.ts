// Before `berth dev` starts a program on a port: something already listening there is not one of
// its own (leftovers of a killed run are replaced first), and a program that cannot bind may
// still pass a readiness probe answered by the stranger. Refusing clearly beats talking to it.
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { portHolder } from './port-holder.js';

/**
 * How long a port may stay busy after a leftover was stopped: a multi-threaded program's sockets
 * close after its main thread is gone, and on a loaded machine its exit took more than 3 s. A port
 * that is free costs nothing; only a refusal waits this long.
 */
const SETTLE_MS = 10_000;

function bindable(host: string, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function ensurePortFree(host: string, port: number, what: string): Promise<void> {
  const deadline = Date.now() + SETTLE_MS;
  while (!(await bindable(host, port))) {
    if (Date.now() > deadline) {
      const holder = portHolder(port);
      throw new Error(`${what}: ${host}:${port} is in use by another program${holder ? `: ${holder}` : ''}`);
    }
    await sleep(100);
  }
}
