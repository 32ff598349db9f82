// Sealed values of every kind Berth stores (db/queries/sealed-fields.ts), planted through the
// API where it takes them and through Berth's own sealing functions where the API would need an
// outside service (GitHub, a DNS provider, a deploy), plus one value in the format used before
// keys had ids. Each value's plaintext is recorded, so a test can prove every one still opens
// and that none is readable in the database.
import { createCipheriv, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { saveDnsCredentials } from '../../db/queries/acme-dns.js';
import { certificateValues } from '../../db/queries/certificates.js';
import { sealGitHubApp } from '../../db/queries/github-apps.js';
import { sealReleaseVariables } from '../../db/queries/release-variables.js';
import { SEALED_FIELDS } from '../../db/queries/sealed-fields.js';
import { sealOverrides, variableSecretContext } from '../../db/queries/variables.js';
import { buildSecrets, deploymentVariables, environmentCertificates, environmentVariables, genericWebhooks, githubApps, releases } from '../../db/schema/index.js';
import { sealGenericSecret } from '../../db/queries/generic-webhooks.js';
import type { Db } from '../../db/client.js';
import { buildSecretContext } from '../../src/domain/git-build.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { TestBerth } from './berth.js';
import { createImageApp } from './fixtures.js';

/** How Berth sealed values before keys had ids (v1.<nonce>.<tag>.<body>). */
export function sealV1(key: Buffer, plaintext: string, context: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export const secretText = (label: string) => `plain-${label}-${randomBytes(6).toString('hex')}`;

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const r = await db.execute(query);
  return (Array.isArray(r) ? r : (r as unknown as { rows: T[] }).rows) as T[];
}

/** Plants `projectSecrets` secret project variables and one value of every other sealed field; returns every plaintext. */
export async function plantSealedValues(berth: TestBerth, box: SecretBox, options: { app: string; projectSecrets: number }): Promise<string[]> {
  const { db } = berth.database;
  const plain: string[] = [];
  const fx = await createImageApp(berth, { app: options.app, image: 'berth-test/none:v1' });
  const project = `p-${options.app}`;
  const variables: Record<string, string> = {};
  for (let i = 0; i < options.projectSecrets; i++) variables[`S${i}`] = secretText(`p${i}`);
  plain.push(...Object.values(variables));
  // The API takes up to 500 secret keys per change.
  const keys = Object.keys(variables);
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = Object.fromEntries(keys.slice(i, i + 500).map((k) => [k, variables[k] as string]));
    const res = await berth.api('PATCH', `/api/v1/projects/${project}/variables`, { variables: chunk, secret: Object.keys(chunk) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const envSecret = secretText('env');
  plain.push(envSecret);
  expect((await berth.api('PUT', `${fx.base}/variables`, { variables: { TOKEN: envSecret, PLAIN: 'visible' }, secret: ['TOKEN'] })).status).toBe(200);
  // One value as it was sealed before keys had ids: with the configured key itself.
  const legacy = secretText('legacy');
  plain.push(legacy);
  const master = Buffer.from(berth.env.BERTH_SECRET_KEY as string, 'base64');
  await db.insert(environmentVariables).values({ environmentId: fx.environmentId, key: 'LEGACY', secret: true, value: sealV1(master, legacy, variableSecretContext(fx.environmentId, 'LEGACY')) });

  const [app] = await rows<{ id: string }>(db, sql`select id from apps where name = ${options.app}`);
  const appId = (app as { id: string }).id;
  const build = secretText('build');
  plain.push(build);
  await db.insert(buildSecrets).values({ appId, name: 'NPM_TOKEN', valueSealed: box.seal(build, buildSecretContext(appId, 'NPM_TOKEN')) });
  const dns = secretText('dns');
  plain.push(dns);
  await saveDnsCredentials(db, box, 'exec', { EXEC_PATH: dns });
  const gh = { pem: secretText('pem'), webhook_secret: secretText('hook'), client_secret: secretText('client') };
  plain.push(gh.pem, gh.webhook_secret, gh.client_secret);
  await db.insert(githubApps).values(sealGitHubApp(box, 'gha_keysrotation01', { id: 4242, slug: 'berth-keys', name: 'berth-keys', html_url: 'https://github.invalid/apps/berth-keys', client_id: 'Iv1.keys', ...gh }));
  const certKey = secretText('certkey');
  plain.push(certKey);
  await db
    .insert(environmentCertificates)
    .values(certificateValues(box, fx.environmentId, { chainPem: '-----BEGIN CERTIFICATE-----', keyPem: certKey, names: ['x.example'], issuer: 'test', notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000), fingerprint: 'ab' }));
  const releaseSecret = secretText('release');
  plain.push(releaseSecret);
  const releaseId = 'rel_keysrotation01';
  await db.insert(releases).values({
    id: releaseId,
    appId,
    environmentId: fx.environmentId,
    number: 1,
    imageRef: 'berth-test/none:v1',
    imagePinned: 'sha256:0',
    imageId: 'sha256:0',
    config: { port: 8080, command: null, args: null, healthCheck: { path: '/' }, resources: {}, replicas: 1 } as never,
    ...sealReleaseVariables(box, releaseId, { plain: { PLAIN: 'visible' }, secret: { TOKEN: releaseSecret } }),
    createdByDeploymentId: 'dep_keysrotation01',
  });
  const overrideSecret = secretText('override');
  plain.push(overrideSecret);
  await db.insert(deploymentVariables).values({ deploymentId: 'dep_keysrotation02', environmentId: fx.environmentId, ...sealOverrides(box, 'dep_keysrotation02', { O: { value: overrideSecret, secret: true } }) });
  // A git host's token and webhook secret, and a notification channel's secrets, through the API.
  const forgeToken = secretText('forge');
  plain.push(forgeToken);
  const host = await berth.api('POST', '/api/v1/git-hosts', { name: `forge-${options.app}`, kind: 'gitea', baseUrl: 'http://127.0.0.1:9', accessToken: forgeToken });
  expect(host.status, JSON.stringify(host.body)).toBe(201);
  plain.push(host.body.webhookSecret as string);
  const hookSecret = `whsec_${Buffer.from(secretText('channel')).toString('base64')}`;
  plain.push(hookSecret);
  const channel = await berth.api('POST', `/api/v1/projects/${project}/notification-channels`, { name: 'rotated', destination: { kind: 'webhook', url: 'http://127.0.0.1:9/hook', secret: hookSecret } });
  expect(channel.status, JSON.stringify(channel.body)).toBe(201);
  const genericSecret = secretText('generic');
  plain.push(genericSecret);
  await db.insert(genericWebhooks).values({ id: 'whk_keysrotation01', appId, secretSealed: sealGenericSecret(box, 'whk_keysrotation01', genericSecret) });
  return plain;
}

/** Opens every stored sealed value of every field with `box`; returns the plaintexts (JSON-sealed ones parsed). */
export async function openEverySealedValue(db: Db, box: SecretBox): Promise<{ field: string; plain: string[] }[]> {
  const out: { field: string; plain: string[] }[] = [];
  for (const field of SEALED_FIELDS) {
    const found = await rows<Record<string, string>>(
      db,
      sql`select ${sql.join(field.keys.map((k) => sql.identifier(k)), sql`, `)}, ${sql.identifier(field.column)} as sealed from ${sql.identifier(field.table)}
          where ${sql.identifier(field.column)} is not null ${field.filter ? sql`and ${sql.identifier(field.filter)}` : sql``}`,
    );
    const plain: string[] = [];
    for (const row of found) {
      const opened = box.open(row.sealed as string, field.context(field.keys.map((k) => String(row[k]))));
      plain.push(...(opened.startsWith('{') ? Object.values(JSON.parse(opened) as Record<string, string>) : [opened]));
    }
    out.push({ field: field.name, plain });
  }
  return out;
}

/** Every row of every table in the database as text, for scanning for plaintext. */
export async function databaseText(db: Db): Promise<string> {
  const tables = await rows<{ name: string }>(db, sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  let text = '';
  for (const t of tables) {
    const found = await rows<{ r: string }>(db, sql`select t::text as r from ${sql.identifier(t.name)} t`);
    text += found.map((f) => f.r).join('\n');
  }
  return text;
}
