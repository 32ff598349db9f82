// A release's number is computed by the statement that inserts it, and a deployment's new
// release and the deployment's pointer to it are one statement (db/queries/releases.ts), on both
// databases Berth runs on: PostgreSQL and the embedded PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { openDatabase, type Database } from '../../db/client.js';
import { insertNextRelease, insertReleaseOfDeployment } from '../../db/queries/releases.js';
import { apps, deployments, environments, projects, releases } from '../../db/schema/index.js';
import { DEFAULT_HEALTH_CHECK } from '../../src/domain/app-spec.js';

const config = { port: 8080, command: null, args: null, healthCheck: DEFAULT_HEALTH_CHECK, resources: {}, replicas: 1 };

function releaseOf(environmentId: string, deploymentId: string) {
  const id = `rel_${deploymentId}`;
  return { id, appId: 'app_n', environmentId, imageRef: 'x:1', imagePinned: 'x@sha256:1', imageId: 'sha256:1', imagePulled: false, config, variables: {}, createdByDeploymentId: deploymentId };
}

async function addDeployment(db: Database['db'], id: string, environmentId: string) {
  await db.insert(deployments).values({ id, appId: 'app_n', environmentId, kind: 'deploy', trigger: 'api', request: {}, status: 'running', workflowId: `deploy-${id}` });
}

async function pointer(db: Database['db'], id: string) {
  const [row] = await db.select({ releaseId: deployments.releaseId }).from(deployments).where(eq(deployments.id, id));
  return row?.releaseId ?? null;
}

/** Statements sent to PostgreSQL (PGlite has no such hook). */
let sent: string[] = [];

const kinds = [
  {
    kind: 'postgres',
    async open() {
      const adminUrl = inject('services').postgresAdminUrl;
      const name = `berth_rn_${randomBytes(4).toString('hex')}`;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      const database = await openDatabase({ databaseUrl: `${adminUrl.replace(/\/postgres$/, '')}/${name}`, dataDir: '/nonexistent', onQuery: (q) => sent.push(q) });
      return {
        database,
        async close() {
          await database.close();
          await admin.unsafe(`drop database if exists ${name} with (force)`);
          await admin.end();
        },
      };
    },
  },
  {
    kind: 'pglite',
    async open() {
      const dataDir = mkdtempSync(join(tmpdir(), 'berth-rn-'));
      const database = await openDatabase({ dataDir });
      return {
        database,
        async close() {
          await database.close();
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(kinds)('releases on $kind', ({ kind, open }) => {
  let opened: Awaited<ReturnType<(typeof kinds)[number]['open']>>;
  let db: Database['db'];

  beforeAll(async () => {
    opened = await open();
    db = opened.database.db;
    await db.insert(projects).values({ id: 'prj_n', name: 'numbers' });
    await db.insert(apps).values({ id: 'app_n', projectId: 'prj_n', name: 'numbers', kind: 'image', healthCheck: { path: '/' }, resources: {} } as typeof apps.$inferInsert);
    await db.insert(environments).values([
      { id: 'env_a', appId: 'app_n', name: 'a' },
      { id: 'env_b', appId: 'app_n', name: 'b' },
    ]);
  }, 120_000);

  afterAll(async () => {
    await opened?.close();
  });

  test('numbered one past the environment’s newest, each environment on its own; the deployment points at its release', async () => {
    const made: [string, number][] = [];
    for (const [dep, env] of [['dep_a1', 'env_a'], ['dep_a2', 'env_a'], ['dep_b1', 'env_b'], ['dep_a3', 'env_a']] as const) {
      await addDeployment(db, dep, env);
      sent = [];
      const row = await insertReleaseOfDeployment(db, releaseOf(env, dep));
      if (kind === 'postgres') expect(sent).toHaveLength(1); // no begin, read or commit of its own
      made.push([row.id, row.number]);
      expect(await pointer(db, dep)).toBe(row.id);
    }
    expect(made).toEqual([['rel_dep_a1', 1], ['rel_dep_a2', 2], ['rel_dep_b1', 1], ['rel_dep_a3', 3]]);
    // The other callers' form (inside their own transaction) numbers the same way.
    await addDeployment(db, 'dep_b2', 'env_b');
    const staticRow = await db.transaction((tx) => insertNextRelease(tx, releaseOf('env_b', 'dep_b2')));
    expect(staticRow.number).toBe(2);
  });

  test('a second release for the same deployment (a spread host losing the race) is refused and changes nothing', async () => {
    await addDeployment(db, 'dep_race', 'env_a');
    const first = await insertReleaseOfDeployment(db, releaseOf('env_a', 'dep_race'));
    const before = await db.select().from(releases).where(eq(releases.environmentId, 'env_a'));
    await expect(insertReleaseOfDeployment(db, { ...releaseOf('env_a', 'dep_race'), id: 'rel_other' })).rejects.toThrow();
    expect(await db.select().from(releases).where(eq(releases.environmentId, 'env_a'))).toEqual(before);
    expect(await pointer(db, 'dep_race')).toBe(first.id);
  });

  test('a refused insert leaves its deployment unpointed: both land or neither', async () => {
    await addDeployment(db, 'dep_refused', 'env_a');
    // The release id is taken (by dep_a1's release): the insert fails, and with it the update.
    await expect(insertReleaseOfDeployment(db, { ...releaseOf('env_a', 'dep_refused'), id: 'rel_dep_a1' })).rejects.toThrow();
    expect(await pointer(db, 'dep_refused')).toBeNull();
  });

  test('inserts racing for one environment never share a number', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `dep_many${i}`);
    for (const id of ids) await addDeployment(db, id, 'env_b');
    const settled = await Promise.allSettled(ids.map((id) => insertReleaseOfDeployment(db, releaseOf('env_b', id))));
    const numbers = (await db.select({ n: releases.number }).from(releases).where(eq(releases.environmentId, 'env_b'))).map((r) => r.n);
    expect(new Set(numbers).size).toBe(numbers.length);
    // Each refused one (a unique number taken meanwhile) left its deployment unpointed.
    for (const [i, s] of settled.entries()) expect(await pointer(db, ids[i] as string)).toBe(s.status === 'fulfilled' ? s.value.id : null);
    expect(settled.some((s) => s.status === 'fulfilled')).toBe(true);
  });
});
