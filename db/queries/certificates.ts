// Uploaded certificates: the chain in the clear, the key sealed to its environment.
import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { environmentCertificates } from '../schema/index.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { CheckedCertificate } from '../../src/tls/certificate-check.js';

export type CertificateRow = typeof environmentCertificates.$inferSelect;

export function certificateKeyContext(environmentId: string): string {
  return `environment-certificate:${environmentId}`;
}

export async function getCertificate(db: Db, environmentId: string): Promise<CertificateRow | null> {
  const [row] = await db.select().from(environmentCertificates).where(eq(environmentCertificates.environmentId, environmentId));
  return row ?? null;
}

/** The values of a stored certificate row (the key sealed); for an insert or an update. */
export function certificateValues(box: SecretBox, environmentId: string, cert: CheckedCertificate) {
  return {
    environmentId,
    chainPem: cert.chainPem,
    keySealed: box.seal(cert.keyPem, certificateKeyContext(environmentId)),
    names: cert.names,
    issuer: cert.issuer,
    notAfter: cert.notAfter,
    fingerprint: cert.fingerprint,
    updatedAt: new Date(),
  };
}
