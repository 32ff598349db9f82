// Removing environments and apps (real Docker, Temporal, Traefik, PostgreSQL): what they ran is
// gone — containers, the Traefik route — and so are their rows; refusals change nothing; only a
// project's admins and owners may, and every call is audited.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditEvents, deployments, projects } from '../../db/schema/index.js';
import { routeFileName } from '../../src/domain/route.js';
import { newId } from '../../src/ids.js';
import { addMember, makeToken, makeUser } from '../support/accounts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { snapshot } from '../support/snapshot.js';
import { throughTraefik } from '../support/traefik.js';
import { waitForDeployment } from '../support/wait.js';

const tag = 'berth-test/removals:v1';
let berth: TestBerth;
let fx: AppFixture;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  buildHello(tag, { version: 'v1' });
  berth = await startBerth();
  fx = await createImageApp(berth, { app: 'rmweb', image: tag });
  const [project] = await berth.database.db.select().from(projects).where(eq(projects.name, 'p-rmweb'));
  for (const role of ['viewer', 'deployer', 'admin'] as const) {
    const user = await makeUser(berth.database.db);
    await addMember(berth.database.db, (project as { id: string }).id, user.id, role);
    tokens[role] = await makeToken(berth.database.db, user.id);
  }
});

afterAll(async () => {
  await berth?.close();
  removeImages(tag);
});

const routeFile = (environmentId: string) => join(berth.config.traefik.routesDir, routeFileName(berth.config.instance, environmentId));

async function deployed(f: AppFixture): Promise<void> {
  const id = await deploy(berth, f, tag);
  expect((await waitForDeployment(berth, id)).status).toBe('succeeded');
  expect((await berth.containers(f.environmentId)).length).toBeGreaterThan(0);
  expect(existsSync(routeFile(f.environmentId))).toBe(true);
}

describe('DELETE /apps/{app}/environments/{env}', () => {
  test('needs credentials, and the manage role: a viewer and a deployer are refused, nothing changes', async () => {
    expect((await berth.app.request(`${fx.base}`, { method: 'DELETE' })).status).toBe(401);
    const before = await snapshot(berth);
    for (const who of ['viewer', 'deployer']) expect((await berth.api('DELETE', `${fx.base}?confirm=prod`, undefined, tokens[who])).status, who).toBe(403);
    expect((await berth.api('DELETE', '/api/v1/apps/rmweb?confirm=rmweb', undefined, tokens.deployer)).status).toBe(403);
    expect(await snapshot(berth)).toEqual(before);
  });

  test('refused while a deployment is in flight, or while another environment inherits from it', async () => {
    const child = await berth.api('POST', '/api/v1/apps/rmweb/environments', { name: 'child', parent: 'prod' });
    expect(child.status, JSON.stringify(child.body)).toBe(201);
    const inherits = await berth.api('DELETE', `${fx.base}?confirm=prod`);
    expect(inherits.status).toBe(409);
    expect(inherits.body.error.message).toMatch(/environment child inherits from it/);
    // A deployment still queued there (written as the lane would have).
    const queued = newId('dep');
    const appId = (await berth.api('GET', '/api/v1/apps/rmweb')).body.id as string;
    await berth.database.db.insert(deployments).values({ id: queued, appId, environmentId: child.body.id, kind: 'deploy', trigger: 'api', request: {}, status: 'queued', workflowId: `deploy-${queued}` });
    const busy = await berth.api('DELETE', '/api/v1/apps/rmweb/environments/child?confirm=child');
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toMatch(new RegExp(`deployment ${queued} is still queued or running`));
    expect((await berth.api('GET', '/api/v1/apps/rmweb/environments/child')).status).toBe(200);
    await berth.database.db.delete(deployments).where(eq(deployments.id, queued));
    const removed = await berth.api('DELETE', '/api/v1/apps/rmweb/environments/child?confirm=child', undefined, tokens.admin);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body.environments).toEqual(['child']);
    expect((await berth.api('GET', '/api/v1/apps/rmweb/environments/child')).status).toBe(404);
  });

  test('a deployed environment: its containers and route go, then its rows; the call is audited', async () => {
    await deployed(fx);
    expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
    // The name must be repeated: without it, or with another, nothing happens.
    for (const query of ['', '?confirm=staging']) {
      const refused = await berth.api('DELETE', `${fx.base}${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body.error.issues[0].path).toBe('confirm');
    }
    expect((await berth.containers(fx.environmentId)).length).toBeGreaterThan(0);
    const res = await berth.api('DELETE', `${fx.base}?confirm=prod`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ environments: ['prod'] });
    expect(res.body.containers).toBeGreaterThan(0);
    expect(await berth.containers(fx.environmentId)).toEqual([]);
    expect(existsSync(routeFile(fx.environmentId))).toBe(false);
    expect((await throughTraefik(fx.host)).status).toBe(404);
    expect((await berth.api('GET', fx.base)).status).toBe(404);
    expect((await berth.api('GET', '/api/v1/deployments?app=rmweb')).body.items).toEqual([]);
    const audit = await berth.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'DELETE /apps/{app}/environments/{env}'));
    expect(audit.map((a) => a.outcome).sort()).toEqual(expect.arrayContaining(['denied', 'rejected', 'succeeded']));
  });
});

describe('DELETE /apps/{app}', () => {
  test('removes every environment with what it runs, and the app', async () => {
    const other = await createImageApp(berth, { app: 'rmsite', image: tag });
    await deployed(other);
    const res = await berth.api('DELETE', '/api/v1/apps/rmsite?confirm=rmsite');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.environments).toEqual(['prod']);
    expect(await berth.containers(other.environmentId)).toEqual([]);
    expect(existsSync(routeFile(other.environmentId))).toBe(false);
    expect((await berth.api('GET', '/api/v1/apps/rmsite')).status).toBe(404);
    expect((await berth.api('DELETE', '/api/v1/apps/rmsite?confirm=rmsite')).status).toBe(404);
  });
});
