import { inject } from 'vitest';
import { probeHttp, type ProbeResult } from '../../src/http-probe.js';

/** One GET through the shared Traefik entrypoint with the given Host. */
export function throughTraefik(host: string, path = '/'): Promise<ProbeResult> {
  return probeHttp(`${inject('services').traefik.entryUrl}${path}`, { host, timeoutMs: 3000, expectedStatus: 200 });
}
