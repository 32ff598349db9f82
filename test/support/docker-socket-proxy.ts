// A pass-through in front of a Docker daemon's socket, so a test can make the daemon go away at
// one exact request: the request it names is held (never reaches the daemon) until the test
// drops it, which cuts its connection as a daemon shutting down does. Everything else is piped
// through untouched, streams included.
import { createConnection, createServer, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

export interface HeldRequest {
  /** The request line, e.g. "POST /v1.41/containers/create?name=… HTTP/1.1". */
  line: string;
  /** Cuts the connection the request came on (the caller sees a reset, as in a shutdown). */
  drop(): void;
}

export interface DockerSocketProxy {
  socket: string;
  /** Holds the `nth` request (1 = the next) whose request line matches, from now on. */
  holdNext(match: RegExp, nth?: number): Promise<HeldRequest>;
  close(): Promise<void>;
}

export async function startDockerSocketProxy(upstream: string, socket: string): Promise<DockerSocketProxy> {
  const clients = new Set<Socket>();
  let trap: { match: RegExp; left: number; resolve: (held: HeldRequest) => void } | null = null;

  const server = createServer((client) => {
    clients.add(client);
    const daemon = createConnection(upstream);
    const end = () => {
      client.destroy();
      daemon.destroy();
      clients.delete(client);
    };
    daemon.on('error', end);
    daemon.on('close', end);
    client.on('error', end);
    client.on('close', end);
    daemon.on('data', (chunk: Buffer) => client.write(chunk));
    let holding = false;
    client.on('data', (chunk: Buffer) => {
      if (holding) return;
      // Each request's head is written at once, so a request starts a chunk.
      const line = chunk.toString('latin1', 0, Math.min(chunk.length, 512)).split('\r\n')[0] ?? '';
      if (trap && trap.match.test(line) && --trap.left === 0) {
        const { resolve } = trap;
        trap = null;
        holding = true;
        resolve({ line, drop: end });
        return;
      }
      daemon.write(chunk);
    });
  });
  rmSync(socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });

  return {
    socket,
    holdNext(match, nth = 1) {
      return new Promise((resolve) => {
        trap = { match, left: nth, resolve };
      });
    },
    async close() {
      for (const c of clients) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(socket, { force: true });
    },
  };
}
