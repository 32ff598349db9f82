// Whether an environment's HTTPS settings can hold for its domains, checked before anything is
// stored: a wildcard needs a certificate that can cover it (dns-01, or an uploaded one), dns-01
// needs a DNS provider configured, and an uploaded certificate must cover every domain.
import type { Db } from '../db/client.js';
import { getCertificate } from '../db/queries/certificates.js';
import type { Config } from '../src/config.js';
import { DEFAULT_HTTPS, isWildcard, type HttpsSettings } from '../src/domain/https.js';
import { nameCovers } from '../src/tls/certificate-check.js';
import { conflict, invalid } from './errors.js';

export function httpsOf(settings: HttpsSettings | null | undefined): HttpsSettings {
  return settings ?? DEFAULT_HTTPS;
}

export async function assertHttpsFits(db: Db, config: Config, environmentId: string | null, settings: HttpsSettings, domains: string[]): Promise<void> {
  const wildcard = domains.find(isWildcard);
  if (wildcard && !(settings.mode === 'custom' || (settings.mode === 'auto' && settings.challenge === 'dns-01'))) {
    throw invalid(`${wildcard}: a wildcard domain needs https mode auto with the dns-01 challenge, or an uploaded certificate (custom)`, [
      { path: 'domains', message: 'wildcard without dns-01' },
    ]);
  }
  if (settings.mode === 'auto' && settings.challenge === 'dns-01' && !config.acme.dnsProvider) {
    throw invalid('the dns-01 challenge needs a DNS provider: set BERTH_ACME_DNS_PROVIDER and its credentials (berth admin set-dns-credentials)', [
      { path: 'https.challenge', message: 'no DNS provider configured' },
    ]);
  }
  if (settings.mode !== 'custom') return;
  const cert = environmentId ? await getCertificate(db, environmentId) : null;
  if (!cert) throw conflict('https mode custom needs an uploaded certificate first: PUT …/certificate (which also sets the mode)');
  const uncovered = domains.filter((d) => !cert.names.some((n) => nameCovers(n, d)));
  if (uncovered.length) throw conflict(`the uploaded certificate does not cover ${uncovered.join(', ')} (it names ${cert.names.join(', ')}): upload one that does first`);
}
