// Certificate status per host name of an environment: what Traefik serves for it (a TLS probe
// with its SNI name), where that comes from, and — when it is not a valid certificate for the
// host — the last ACME error Traefik logged for it.
import { open } from 'node:fs/promises';
import type { CertificateRow } from '../db/queries/certificates.js';
import type { Config } from '../src/config.js';
import { routeTls, type HttpsSettings } from '../src/domain/https.js';
import { nameCovers } from '../src/tls/certificate-check.js';
import { probeCertificate } from '../src/tls/certificate-probe.js';

export interface DomainStatus {
  host: string;
  https: boolean;
  state: 'http-only' | 'pending' | 'issued' | 'failed';
  source: 'acme' | 'uploaded' | 'default' | null;
  certificate: { names: string[]; issuer: string; notBefore: string | null; notAfter: string; fingerprint: string } | null;
  error: string | null;
}

/** How much of the end of Traefik's log is searched for a host's last ACME error. */
const LOG_TAIL_BYTES = 256 * 1024;

/** The last ACME error Traefik logged for this host, or null. */
export async function lastAcmeError(logFile: string, host: string): Promise<string | null> {
  let text: string;
  try {
    const handle = await open(logFile, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, LOG_TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      text = buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
  const line = text
    .split('\n')
    .reverse()
    .find((l) => /acme/i.test(l) && (l.includes(`"${host}"`) || l.includes(`[${host}]`)));
  if (!line) return null;
  const error = /error="((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line;
  return error.replace(/\\n/g, ' ').replace(/\\"/g, '"').slice(0, 600);
}

export async function domainStatuses(config: Config, hosts: string[], https: HttpsSettings, uploaded: CertificateRow | null, now = new Date()): Promise<DomainStatus[]> {
  const tls = routeTls(https, hosts, config.traefik.httpsPublicPort);
  return Promise.all(
    hosts.map(async (host): Promise<DomainStatus> => {
      if (!tls?.certHosts.includes(host)) return { host, https: false, state: 'http-only', source: null, certificate: null, error: null };
      // A wildcard is probed through a name it covers.
      const probeName = host.startsWith('*.') ? `berth-status${host.slice(1)}` : host;
      const probe = await probeCertificate(config.traefik.httpsEntryUrl, probeName);
      if (!probe.served) return { host, https: true, state: 'failed', source: null, certificate: null, error: probe.error };
      const served = probe.served;
      const certificate = {
        names: served.names,
        issuer: served.issuer,
        notBefore: served.notBefore.toISOString(),
        notAfter: served.notAfter.toISOString(),
        fingerprint: served.fingerprint,
      };
      if (served.names.some((n) => nameCovers(n, probeName)) && served.notAfter > now) {
        const source = uploaded?.fingerprint === served.fingerprint ? 'uploaded' : 'acme';
        return { host, https: true, state: 'issued', source, certificate, error: null };
      }
      if (tls.mode === 'custom' && uploaded && !uploaded.names.some((n) => nameCovers(n, probeName))) {
        const error = `the uploaded certificate does not cover ${host} (it names ${uploaded.names.join(', ')}): Traefik serves its default certificate for it`;
        return { host, https: true, state: 'failed', source: 'default', certificate, error };
      }
      const logged = tls.mode === 'auto' ? await lastAcmeError(config.traefik.logFile, host) : null;
      const error =
        logged ??
        (tls.mode === 'custom'
          ? 'the uploaded certificate is not served yet (it applies once the environment has a live deployment)'
          : 'no certificate issued yet: Traefik serves its default certificate');
      return { host, https: true, state: logged ? 'failed' : 'pending', source: 'default', certificate, error };
    }),
  );
}
