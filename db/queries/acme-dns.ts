// The DNS provider's credentials for Traefik's dns-01 resolver: sealed here, opened only to
// become Traefik's environment when Berth starts it.
import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { acmeDnsCredentials } from '../schema/index.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';

export function acmeDnsContext(provider: string): string {
  return `acme-dns:${provider}`;
}

/** lego reads its provider settings from upper-case environment variables (CF_DNS_API_TOKEN …). */
export const DNS_VARIABLE = /^[A-Z][A-Z0-9_]{0,127}$/;

export async function saveDnsCredentials(db: Db, box: SecretBox, provider: string, variables: Record<string, string>): Promise<void> {
  const bad = Object.keys(variables).find((k) => !DNS_VARIABLE.test(k));
  if (bad !== undefined) throw new Error(`${bad.slice(0, 128)} is not an environment variable name (A-Z, 0-9, _)`);
  const variablesSealed = box.seal(JSON.stringify(variables), acmeDnsContext(provider));
  await db
    .insert(acmeDnsCredentials)
    .values({ provider, variablesSealed })
    .onConflictDoUpdate({ target: acmeDnsCredentials.provider, set: { variablesSealed, updatedAt: new Date() } });
}

/** The provider's variables, opened; empty when none were stored. */
export async function openDnsCredentials(db: Db, box: SecretBox, provider: string): Promise<Record<string, string>> {
  const [row] = await db.select().from(acmeDnsCredentials).where(eq(acmeDnsCredentials.provider, provider));
  return row ? (JSON.parse(box.open(row.variablesSealed, acmeDnsContext(provider))) as Record<string, string>) : {};
}
