// HTTPS settings, domains and certificates as the API takes and shows them.
import { z } from '@hono/zod-openapi';
import { DEFAULT_HTTPS } from '../../src/domain/https.js';
import { Domain } from './common.js';

/** A host name, or *.<host name> (a wildcard: its certificate needs the dns-01 challenge). */
export const DomainName = z
  .string()
  .max(253)
  .refine((v) => Domain.safeParse(v.startsWith('*.') ? v.slice(2) : v).success, 'not a valid host name (a wildcard is *.<host name>)')
  .openapi({ example: 'www.example.com' });

/** One year: the least the HSTS preload list accepts. */
const PRELOAD_MIN_AGE = 31_536_000;

export const Hsts = z
  .object({
    maxAge: z.number().int().min(0).max(63_072_000).default(PRELOAD_MIN_AGE).openapi({ description: 'Seconds browsers keep to HTTPS' }),
    includeSubDomains: z.boolean().default(false),
    preload: z.boolean().default(false),
  })
  .strict()
  .refine((h) => !h.preload || (h.includeSubDomains && h.maxAge >= PRELOAD_MIN_AGE), {
    message: `preload needs includeSubDomains and a maxAge of at least ${PRELOAD_MIN_AGE} (one year)`,
    path: ['preload'],
  })
  .openapi('Hsts');

export const HttpsSettings = z
  .object({
    mode: z.enum(['auto', 'custom', 'off']).default(DEFAULT_HTTPS.mode).openapi({
      description: 'auto: certificates from the ACME CA; custom: the uploaded certificate (PUT …/certificate); off: plain HTTP',
    }),
    challenge: z.enum(['http-01', 'tls-alpn-01', 'dns-01']).default(DEFAULT_HTTPS.challenge).openapi({ description: 'How the ACME CA checks the domain (auto)' }),
    redirect: z.boolean().default(DEFAULT_HTTPS.redirect).openapi({ description: 'HTTP answers with a permanent redirect to HTTPS' }),
    hsts: Hsts.nullable().default(DEFAULT_HTTPS.hsts).openapi({ description: 'Strict-Transport-Security; off (null) by default' }),
    www: z.enum(['none', 'to-www', 'to-apex']).default(DEFAULT_HTTPS.www).openapi({ description: 'Redirect between example.com and www.example.com (both must be domains)' }),
  })
  .strict()
  .openapi('HttpsSettings');

/** A change to some HTTPS settings; the others stay as they are. */
export const HttpsPatch = z
  .object({
    mode: HttpsSettings.shape.mode.unwrap().optional(),
    challenge: HttpsSettings.shape.challenge.unwrap().optional(),
    redirect: HttpsSettings.shape.redirect.unwrap().optional(),
    hsts: Hsts.nullable().optional().openapi({ description: 'null turns HSTS off' }),
    www: HttpsSettings.shape.www.unwrap().optional(),
  })
  .strict()
  .openapi('HttpsPatch');

export const DomainInput = z
  .object({
    domain: DomainName,
    force: z.boolean().default(false).openapi({ description: 'Add it even if its DNS does not point at this server' }),
  })
  .strict()
  .openapi('DomainInput');

export const DnsCheck = z
  .object({
    domain: z.string(),
    addresses: z.array(z.string()).openapi({ description: 'What the domain resolves to' }),
    serverAddresses: z.array(z.string()).openapi({ description: "This server's addresses" }),
    pointsHere: z.boolean(),
    warning: z.string().nullable(),
  })
  .openapi('DnsCheck');

export const CertificateInfo = z
  .object({
    names: z.array(z.string()),
    issuer: z.string(),
    notBefore: z.string().nullable(),
    notAfter: z.string(),
    fingerprint: z.string().openapi({ description: 'SHA-256 of the certificate' }),
  })
  .openapi('CertificateInfo');

export const DomainStatus = z
  .object({
    host: z.string(),
    https: z.boolean().openapi({ description: 'Served over HTTPS with a certificate of its own' }),
    state: z.enum(['http-only', 'pending', 'issued', 'failed']),
    source: z.enum(['acme', 'uploaded', 'default']).nullable().openapi({ description: 'Where the certificate Traefik serves for it comes from' }),
    certificate: CertificateInfo.nullable(),
    error: z.string().nullable().openapi({ description: 'The last error: why no valid certificate is served' }),
  })
  .openapi('DomainStatus');

export const CertificateUpload = z
  .object({
    certificate: z.string().min(1).max(65_536).openapi({ description: "PEM chain: the server's certificate first, then its intermediates" }),
    key: z.string().min(1).max(16_384).openapi({ description: 'PEM private key (unencrypted); sealed at rest, never shown again' }),
  })
  .strict()
  .openapi('CertificateUpload');
