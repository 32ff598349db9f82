// Cheap "are you there?" checks of Berth's dependencies, for /healthz and start-up.
import { request } from 'node:http';

/**
 * GET /_ping on the Docker socket, on a connection of its own: a daemon shutting down still
 * serves connections it already had, so a pooled one could answer for an engine that is leaving.
 */
export function pingDocker(socketPath: string, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`Docker answered ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** GET /ping on Traefik's API entrypoint. */
export async function pingTraefik(apiUrl: string, timeoutMs = 2000): Promise<void> {
  const res = await fetch(`${apiUrl}/ping`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`Traefik answered ${res.status}`);
}
