// PostgreSQL going away under Berth (the fault bench kills it mid-deploy): statements asked for
// meanwhile are sent, or refused, within about a second; and a phase write that lands late (a
// timed-out local activity's attempt, its statement held by the driver until then) does not make
// an ended phase running again (one started after that end does: a retried step doing it again).
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openDatabase, reconnectDelaySeconds, type Database } from '../../db/client.js';
import { apps, deploymentPhases, deployments, deploymentServicePhases, environments, projects } from '../../db/schema/index.js';
import { createDeploymentStore } from '../../activities/store/deployments.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster.js';

let pg: PostgresCluster;
let database: Database;

beforeAll(async () => {
  pg = await startPostgresCluster({ durable: true });
  database = await openDatabase({ databaseUrl: pg.url('postgres'), dataDir: '/nonexistent' });
}, 60_000);

afterAll(async () => {
  await database?.close();
  pg?.stop();
});

test('the reconnect delay grows from 50 ms and stays at most a second', () => {
  expect([0, 1, 2, 3, 4, 5, 10, 40].map(reconnectDelaySeconds)).toEqual([0.05, 0.1, 0.2, 0.4, 0.8, 1, 1, 1]);
});

test('no statement waits more than about a second for a connection while PostgreSQL is away or coming back', async () => {
  await database.ping();
  pg.kill();
  // Ask every 200 ms for 8 s (the server back after 6): each statement is sent or refused soon
  // after it is asked. The driver's own delay grows past 7 s after six failed connects, and a
  // statement held that long outlives its local activity's attempt.
  const asked: Promise<{ waitedMs: number; ok: boolean }>[] = [];
  const started = performance.now();
  let restarted = false;
  while (performance.now() - started < 8_000) {
    const at = performance.now();
    asked.push(database.ping().then(
      () => ({ waitedMs: performance.now() - at, ok: true }),
      () => ({ waitedMs: performance.now() - at, ok: false }),
    ));
    if (!restarted && performance.now() - started > 6_000) {
      restarted = true;
      pg.start(); // returns once the server accepts connections
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const settled = await Promise.all(asked);
  const longest = Math.max(...settled.map((s) => s.waitedMs));
  process.stdout.write(`database-outage: ${settled.length} statements, ${settled.filter((s) => s.ok).length} ran, longest wait ${Math.round(longest)} ms\n`);
  expect(longest).toBeLessThan(2_500);
  expect(settled.at(-1)?.ok).toBe(true);
}, 60_000);

test('a late "running" write leaves an ended phase ended, of the deployment and of a service', async () => {
  const { db } = database;
  await db.insert(projects).values({ id: 'prj_outage', name: 'outage' });
  await db.insert(apps).values({ id: 'app_outage', projectId: 'prj_outage', name: 'outage', kind: 'image', healthCheck: { path: '/' }, resources: {} } as typeof apps.$inferInsert);
  await db.insert(environments).values({ id: 'env_outage', appId: 'app_outage', name: 'prod' });
  await db.insert(deployments).values({ id: 'dep_outage', appId: 'app_outage', environmentId: 'env_outage', kind: 'deploy', trigger: 'api', request: {}, status: 'running', workflowId: 'deploy-dep_outage' });
  const store = createDeploymentStore(db);
  const t0 = Date.parse('2026-12-01T10:00:00Z');
  const createStarts = { deploymentId: 'dep_outage', phases: [{ phase: 'create' as const, outcome: 'running' as const, at: t0 }] };
  const serviceStarts = { ...createStarts, service: 'web', phases: [{ phase: 'update' as const, outcome: 'running' as const, at: t0 }] };
  await store.recordPhases(createStarts);
  await store.recordPhases(serviceStarts);
  await store.recordPhases({ deploymentId: 'dep_outage', phases: [{ phase: 'create', outcome: 'succeeded', at: t0 + 10 }, { phase: 'start', outcome: 'running', at: t0 + 10 }] });
  await store.recordPhases({ ...serviceStarts, phases: [{ phase: 'update', outcome: 'succeeded', message: 'updated', at: t0 + 15 }] });
  await store.completeDeployment({ deploymentId: 'dep_outage', status: 'succeeded', message: null, errorType: null, at: t0 + 20, phases: [{ phase: 'start', outcome: 'succeeded', at: t0 + 20 }] });
  // The first attempts' writes, held while the database was away, land now.
  await store.recordPhases(createStarts);
  await store.recordPhases(serviceStarts);
  const phases = await db.select().from(deploymentPhases).where(eq(deploymentPhases.deploymentId, 'dep_outage'));
  expect(phases.map((p) => [p.phase, p.outcome, p.endedAt?.getTime()]).sort()).toEqual([
    ['create', 'succeeded', t0 + 10],
    ['start', 'succeeded', t0 + 20],
  ]);
  const services = await db.select().from(deploymentServicePhases).where(eq(deploymentServicePhases.deploymentId, 'dep_outage'));
  expect(services.map((p) => [p.service, p.phase, p.outcome, p.message])).toEqual([['web', 'update', 'succeeded', 'updated']]);
  // A phase still running takes a later write as before.
  await store.recordPhases({ deploymentId: 'dep_outage', phases: [{ phase: 'watch', outcome: 'running', at: t0 + 30 }] });
  await store.recordPhases({ deploymentId: 'dep_outage', phases: [{ phase: 'watch', outcome: 'skipped', message: 'none', at: t0 + 31 }] });
  const [watch] = await db.select().from(deploymentPhases).where(eq(deploymentPhases.phase, 'watch'));
  expect([watch?.outcome, watch?.startedAt.getTime(), watch?.endedAt?.getTime()]).toEqual(['skipped', t0 + 30, t0 + 31]);
  // A step retried after the phase ended starts it again, and its end is what stays.
  await store.recordPhases({ deploymentId: 'dep_outage', phases: [{ phase: 'create', outcome: 'running', at: t0 + 40 }] });
  const [again] = await db.select().from(deploymentPhases).where(eq(deploymentPhases.phase, 'create'));
  expect([again?.outcome, again?.endedAt]).toEqual(['running', null]);
  await store.recordPhases({ deploymentId: 'dep_outage', phases: [{ phase: 'create', outcome: 'failed', message: 'no space', at: t0 + 41 }] });
  const [failed] = await db.select().from(deploymentPhases).where(eq(deploymentPhases.phase, 'create'));
  expect([failed?.outcome, failed?.message, failed?.endedAt?.getTime()]).toEqual(['failed', 'no space', t0 + 41]);
});
