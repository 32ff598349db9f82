import { createServer } from 'node:net';

// Ports come from below Linux's ephemeral range (32768–60999 here). A port the kernel hands out
// for `listen(0)` is one it also hands out to outgoing connections: a test that frees a port and
// binds it again (a restarted Berth, a killed Temporal) could find it taken by some client's
// socket in between. Nothing picks ports in this range on its own.
const FIRST = 20_000;
const SPAN = 12_000;
// Each test process starts at its own place in the range; within it ports are handed out in turn,
// so one run never gets the same port twice.
let next = FIRST + ((process.pid * 7919) % SPAN);

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(false) : reject(err)));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on right now, on loopback. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SPAN; tries++) {
    const port = next;
    next = FIRST + ((next - FIRST + 1) % SPAN);
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port between ${FIRST} and ${FIRST + SPAN - 1}`);
}
