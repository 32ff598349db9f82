// mTLS to Temporal, for the API's client and the workers' connection alike: the client
// certificate and key (and the CA of the server's certificate when it is a private one) are
// read from the configured files at connect time.
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalTls } from '../config.js';

export function temporalTls(tls: TemporalTls | null): TLSConfig | undefined {
  if (!tls) return undefined;
  return {
    clientCertPair: { crt: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
    ...(tls.caFile ? { serverRootCACertificate: readFileSync(tls.caFile) } : {}),
    ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
  };
}
