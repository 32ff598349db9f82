// Every column that holds a sealed value, in one list, so a key rotation re-seals them all and
// can prove none is left under an old key. A new sealed column is added here (and its context
// function shared with the code that seals it); test/integration/key-rotation.test.ts fails
// when a stored sealed value is missed.
import { sql, type SQL } from 'drizzle-orm';
import { buildSecretContext } from '../../src/domain/git-build.js';
import type { ResealBatch } from '../../src/domain/key-rotation.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { Db } from '../client.js';
import { acmeDnsContext } from './acme-dns.js';
import { certificateKeyContext } from './certificates.js';
import { genericWebhookContext } from './generic-webhooks.js';
import { gitHostContext } from './git-hosts.js';
import { githubAppContext } from './github-apps.js';
import { channelSecretContext } from '../../src/notifications/channel-destinations.js';
import { releaseVariablesContext } from './release-variables.js';
import { deploymentVariablesContext, projectVariableContext, variableSecretContext } from './variables.js';

export interface SealedField {
  /** table.column, as progress reports name it. */
  name: string;
  table: string;
  column: string;
  /** The row's primary key columns, in order (the batch cursor). */
  keys: string[];
  /** Rows whose column is sealed (variables: only the secret ones). */
  filter?: string;
  context(row: string[]): string;
}

const r = (row: string[], i: number) => row[i] as string;

export const SEALED_FIELDS: SealedField[] = [
  { name: 'build_secrets.value_sealed', table: 'build_secrets', column: 'value_sealed', keys: ['app_id', 'name'], context: (k) => buildSecretContext(r(k, 0), r(k, 1)) },
  ...(['private-key', 'webhook-secret', 'client-secret'] as const).map((field) => ({
    name: `github_apps.${field.replace('-', '_')}_sealed`,
    table: 'github_apps',
    column: `${field.replace('-', '_')}_sealed`,
    keys: ['id'],
    context: (k: string[]) => githubAppContext(r(k, 0), field),
  })),
  { name: 'acme_dns_credentials.variables_sealed', table: 'acme_dns_credentials', column: 'variables_sealed', keys: ['provider'], context: (k) => acmeDnsContext(r(k, 0)) },
  { name: 'environment_certificates.key_sealed', table: 'environment_certificates', column: 'key_sealed', keys: ['environment_id'], context: (k) => certificateKeyContext(r(k, 0)) },
  { name: 'environment_variables.value', table: 'environment_variables', column: 'value', keys: ['environment_id', 'key'], filter: 'secret', context: (k) => variableSecretContext(r(k, 0), r(k, 1)) },
  { name: 'project_variables.value', table: 'project_variables', column: 'value', keys: ['project_id', 'key'], filter: 'secret', context: (k) => projectVariableContext(r(k, 0), r(k, 1)) },
  { name: 'releases.variables_sealed', table: 'releases', column: 'variables_sealed', keys: ['id'], context: (k) => releaseVariablesContext(r(k, 0)) },
  { name: 'deployment_variables.variables_sealed', table: 'deployment_variables', column: 'variables_sealed', keys: ['deployment_id'], context: (k) => deploymentVariablesContext(r(k, 0)) },
  { name: 'git_hosts.webhook_secret_sealed', table: 'git_hosts', column: 'webhook_secret_sealed', keys: ['id'], context: (k) => gitHostContext(r(k, 0), 'webhook-secret') },
  { name: 'git_hosts.access_token_sealed', table: 'git_hosts', column: 'access_token_sealed', keys: ['id'], context: (k) => gitHostContext(r(k, 0), 'access-token') },
  { name: 'generic_webhooks.secret_sealed', table: 'generic_webhooks', column: 'secret_sealed', keys: ['id'], context: (k) => genericWebhookContext(r(k, 0)) },
  { name: 'notification_channels.secrets_sealed', table: 'notification_channels', column: 'secrets_sealed', keys: ['id'], context: (k) => channelSecretContext(r(k, 0)) },
];

export function sealedField(name: string): SealedField {
  const field = SEALED_FIELDS.find((f) => f.name === name);
  if (!field) throw new Error(`no sealed field ${name}`);
  return field;
}

const id = (name: string) => sql.identifier(name);

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = await db.execute(query);
  return (Array.isArray(result) ? result : (result as unknown as { rows: T[] }).rows) as T[];
}

/** Where the field's column holds a sealed value not under `keyId`. */
function notUnder(field: SealedField, keyId: string): SQL {
  const column = id(field.column);
  return sql`${column} is not null ${field.filter ? sql`and ${id(field.filter)}` : sql``} and ${column} not like ${`v2.${keyId}.%`}`;
}

/** How many values of each field are not under `keyId`. */
export async function countNotUnder(db: Db, keyId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const field of SEALED_FIELDS) {
    const [row] = await rows<{ n: number | string }>(db, sql`select count(*) as n from ${id(field.table)} where ${notUnder(field, keyId)}`);
    out[field.name] = Number(row?.n ?? 0);
  }
  return out;
}

/** How many stored values each key seals ("v1": the configured key, before keys had ids). */
export async function countByKey(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const field of SEALED_FIELDS) {
    const column = id(field.column);
    const found = await rows<{ key: string; n: number | string }>(
      db,
      sql`select case when ${column} like 'v2.%' then split_part(${column}, '.', 2) else 'v1' end as key, count(*) as n
          from ${id(field.table)} where ${column} is not null ${field.filter ? sql`and ${id(field.filter)}` : sql``} group by 1`,
    );
    for (const f of found) out[f.key] = (out[f.key] ?? 0) + Number(f.n);
  }
  return out;
}

/**
 * Up to `limit` values of `field` after `cursor` not yet under `keyId`, each opened and sealed
 * again under it. An update applies only if the value is still what was read, so a batch run
 * twice (a retry after a crash) or beside a change through the API re-seals nothing twice
 * and loses nothing.
 */
export async function resealBatch(db: Db, box: SecretBox, input: { field: string; keyId: string; limit: number; cursor: string[] | null }): Promise<ResealBatch> {
  const field = sealedField(input.field);
  const keyCols = sql.join(field.keys.map(id), sql`, `);
  const after = input.cursor ? sql`and (${keyCols}) > (${sql.join(input.cursor.map((v) => sql`${v}`), sql`, `)})` : sql``;
  const found = await rows<Record<string, string>>(
    db,
    sql`select ${keyCols}, ${id(field.column)} as sealed from ${id(field.table)} where ${notUnder(field, input.keyId)} ${after} order by ${keyCols} limit ${input.limit}`,
  );
  const out: ResealBatch = { resealed: 0, unreadable: [], cursor: null };
  const changes: { key: string[]; old: string; next: string }[] = [];
  for (const row of found) {
    const key = field.keys.map((k) => String(row[k]));
    out.cursor = key;
    try {
      changes.push({ key, old: row.sealed as string, next: box.reseal(row.sealed as string, field.context(key), input.keyId) });
    } catch {
      out.unreadable.push(`${field.name}:${key.join('/')}`);
    }
  }
  if (changes.length > 0) {
    // One statement for the batch; a row applies only if its value is still the one read.
    const values = sql.join(
      changes.map((c) => sql`(${sql.join([...c.key, c.old, c.next].map((v) => sql`${v}::text`), sql`, `)})`),
      sql`, `,
    );
    const names = sql.join([...field.keys.map((_, i) => id(`k${i}`)), id('old'), id('next')], sql`, `);
    const match = sql.join(
      field.keys.map((k, i) => sql`t.${id(k)} = v.${id(`k${i}`)}`),
      sql` and `,
    );
    const updated = await rows<{ k: number }>(
      db,
      sql`update ${id(field.table)} as t set ${id(field.column)} = v.next from (values ${values}) as v(${names}) where ${match} and t.${id(field.column)} = v.old returning 1 as k`,
    );
    out.resealed = updated.length;
  }
  if (found.length < input.limit) out.cursor = null;
  return out;
}

/**
 * Variables marked secret whose value is not sealed (written before secrets were sealed, or by
 * hand) are sealed where they are, once, when a worker starts: the upgrade's data migration,
 * in code because sealing needs the key, which the database never has. Returns how many.
 */
export async function sealPlainSecretValues(db: Db, box: SecretBox): Promise<number> {
  let sealed = 0;
  for (const field of SEALED_FIELDS.filter((f) => f.filter)) {
    const column = id(field.column);
    const found = await rows<Record<string, string>>(
      db,
      sql`select ${sql.join(field.keys.map(id), sql`, `)}, ${column} as value from ${id(field.table)} where ${id(field.filter as string)} and ${column} !~ '^v[12][.]'`,
    );
    for (const row of found) {
      const key = field.keys.map((k) => String(row[k]));
      const where = sql.join(
        field.keys.map((k, i) => sql`${id(k)} = ${key[i]}`),
        sql` and `,
      );
      const next = box.seal(row.value as string, field.context(key));
      sealed += (await rows(db, sql`update ${id(field.table)} set ${column} = ${next} where ${where} and ${column} = ${row.value} returning 1 as k`)).length;
    }
  }
  return sealed;
}
