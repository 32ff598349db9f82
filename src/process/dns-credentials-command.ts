// `berth admin set-dns-credentials --provider NAME`: the DNS provider's credentials for
// Traefik's dns-01 resolver, read as KEY=VALUE lines from stdin (never arguments, which other
// users of the machine could read in the process list), sealed into the database. Berth gives
// them to Traefik as its environment when it starts it.
import { parseArgs } from 'node:util';
import type { Db } from '../../db/client.js';
import { DNS_VARIABLE, saveDnsCredentials } from '../../db/queries/acme-dns.js';
import type { SecretBox } from '../secrets/secret-box.js';

export const DNS_CREDENTIALS_USAGE = `  berth admin set-dns-credentials --provider NAME   KEY=VALUE lines from stdin (lego's variables for the provider)
    printf 'CF_DNS_API_TOKEN=%s\\n' "$TOKEN" | berth admin set-dns-credentials --provider cloudflare`;

export class DnsCredentialsUsageError extends Error {}

/** KEY=VALUE lines (blank lines and # comments skipped) into variables, or a usage error. */
export function parseAssignments(text: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    const key = line.slice(0, at);
    if (at <= 0 || !DNS_VARIABLE.test(key)) throw new DnsCredentialsUsageError(`not a KEY=VALUE line with an upper-case variable name: ${key.slice(0, 40) || line.slice(0, 40)}…`);
    variables[key] = line.slice(at + 1);
  }
  if (Object.keys(variables).length === 0) throw new DnsCredentialsUsageError('no KEY=VALUE lines on stdin');
  return variables;
}

export async function runDnsCredentialsCommand(db: Db, box: SecretBox, argv: string[], stdin: AsyncIterable<Buffer | string>): Promise<string> {
  const { values } = parseArgs({ args: argv, options: { provider: { type: 'string' } }, strict: true });
  if (!values.provider || !/^[a-z0-9][a-z0-9._-]{0,39}$/.test(values.provider)) throw new DnsCredentialsUsageError('--provider NAME is required (e.g. cloudflare)');
  const chunks: string[] = [];
  for await (const chunk of stdin) chunks.push(chunk.toString());
  const variables = parseAssignments(chunks.join(''));
  await saveDnsCredentials(db, box, values.provider, variables);
  // Names only: the values never leave stdin and the sealed column.
  return JSON.stringify({ provider: values.provider, variables: Object.keys(variables).sort() });
}
