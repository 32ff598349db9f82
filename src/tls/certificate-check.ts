// Checks an uploaded certificate before anything is stored or served: the key is the
// certificate's, the chain goes from the server's certificate up towards its root (each one
// issued and signed by the next), every certificate is valid now, and the names cover the
// environment's domains. Node's own X509Certificate does the parsing and the signatures.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

export interface CheckedCertificate {
  /** The chain as Traefik gets it: the PEM blocks alone, in order. */
  chainPem: string;
  keyPem: string;
  names: string[];
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  fingerprint: string;
}

/** Why an upload is refused; the message is shown to the user as is. */
export class CertificateRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateRejected';
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/** DNS names of a certificate's subjectAltName (the common name only when there is none). */
export function certificateNames(cert: X509Certificate): string[] {
  const san = cert.subjectAltName;
  if (san) return san.split(/,\s*/).filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4).toLowerCase());
  const cn = /^CN=(.+)$/m.exec(cert.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
}

/** A name covers a host when equal, or as *.suffix for a host one label above the suffix. */
export function nameCovers(name: string, host: string): boolean {
  if (name === host) return true;
  if (!name.startsWith('*.') || host.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && host.slice(dot) === name.slice(1);
}

export function commonName(distinguishedName: string): string {
  return /^CN=(.+)$/m.exec(distinguishedName)?.[1] ?? distinguishedName.replace(/\n/g, ', ');
}

function parseKey(keyPem: string): KeyObject {
  try {
    return createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    throw new CertificateRejected('the key is not an unencrypted private key in PEM form');
  }
}

export function checkCertificate(chainText: string, keyPem: string, domains: string[], now = new Date()): CheckedCertificate {
  const blocks = chainText.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new CertificateRejected('no PEM certificate (-----BEGIN CERTIFICATE-----) in the chain');
  const chain = blocks.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new CertificateRejected(`certificate ${i + 1} of the chain is not a valid X.509 certificate`);
    }
  });
  const leaf = chain[0] as X509Certificate;
  if (leaf.ca) throw new CertificateRejected("the first certificate is a CA's: the chain must start with the server's own certificate");
  if (!leaf.checkPrivateKey(parseKey(keyPem))) throw new CertificateRejected('the private key does not match the certificate');
  for (let i = 0; i + 1 < chain.length; i++) {
    const [child, parent] = [chain[i] as X509Certificate, chain[i + 1] as X509Certificate];
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new CertificateRejected(
        `certificate ${i + 1} (${commonName(child.subject)}) is not issued by certificate ${i + 2} (${commonName(parent.subject)}): the chain must go from the server's certificate up to its CA, in order`,
      );
    }
  }
  chain.forEach((cert, i) => {
    const what = i === 0 ? 'the certificate' : `certificate ${i + 1} of the chain (${commonName(cert.subject)})`;
    if (new Date(cert.validTo) <= now) throw new CertificateRejected(`${what} expired on ${new Date(cert.validTo).toISOString()}`);
    if (new Date(cert.validFrom) > now) throw new CertificateRejected(`${what} is not valid before ${new Date(cert.validFrom).toISOString()}`);
  });
  const names = certificateNames(leaf);
  const uncovered = domains.filter((d) => !names.some((n) => nameCovers(n, d)));
  if (uncovered.length) throw new CertificateRejected(`the certificate does not cover ${uncovered.join(', ')} (it names ${names.join(', ') || 'nothing'})`);
  return {
    chainPem: `${blocks.join('\n')}\n`,
    keyPem: keyPem.trim() + '\n',
    names,
    issuer: commonName(leaf.issuer),
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    fingerprint: leaf.fingerprint256,
  };
}
