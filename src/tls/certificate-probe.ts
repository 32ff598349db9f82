// What certificate Traefik actually serves for a host name: a TLS handshake with that SNI name
// against the HTTPS entrypoint. The truth for the status shown to users, whatever Traefik's
// ACME storage or an uploaded file say.
import { connect } from 'node:tls';

export interface ServedCertificate {
  names: string[];
  issuer: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint: string;
}

export type ProbeOutcome = { served: ServedCertificate; error: null } | { served: null; error: string };

export function probeCertificate(httpsEntryUrl: string, host: string, timeoutMs = 2000): Promise<ProbeOutcome> {
  const { hostname, port } = new URL(httpsEntryUrl);
  return new Promise((resolve) => {
    // Any certificate is accepted: the point is to read it, not to trust it.
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 443), servername: host, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      // The plain object: its fields are there whatever the chain (the X509Certificate form
      // comes back without an issuer for some chains on Node 20).
      const cert = socket.getPeerCertificate();
      socket.end();
      if (!cert || !cert.raw) return resolve({ served: null, error: 'Traefik sent no certificate' });
      const names = (cert.subjectaltname ?? '').split(/,\s*/).filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4).toLowerCase());
      const cn = (field: unknown) => (field && typeof field === 'object' && 'CN' in field ? String((field as { CN: unknown }).CN) : '');
      resolve({
        served: {
          names: names.length ? names : [cn(cert.subject).toLowerCase()].filter(Boolean),
          issuer: cn(cert.issuer),
          subject: cn(cert.subject),
          notBefore: new Date(cert.valid_from),
          notAfter: new Date(cert.valid_to),
          fingerprint: cert.fingerprint256,
        },
        error: null,
      });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ served: null, error: `HTTPS entrypoint: ${err.code ?? err.message}` });
    });
  });
}
