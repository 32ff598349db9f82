// Before `berth dev` starts a program on a port: something already listening there is not one of
// its own (leftovers of a killed run are replaced first), and a program that cannot bind may
// still pass a readiness probe answered by the stranger. Refusing clearly beats talking to it.
import { createServer } from 'node:net';

export async function ensurePortFree(host: string, port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new Error(`${what}: ${host}:${port} is in use by another program`) : err);
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
