import { defineRoute } from '../access/access-spec.js';
// Apps of kind stack: their compose file, an environment's override, a dry run of what would
// be deployed, and the teardown of an environment's stack (through its lane, like a deploy).
import { eq, sql } from 'drizzle-orm';
import { getAppByName } from '../../db/queries/apps.js';
import { appStacks, stackOverrides } from '../../db/schema/index.js';
import { environmentHosts } from '../../src/domain/route.js';
import { acceptedBody, baseRequest } from '../deploy-requests.js';
import type { AppDeps } from '../deps.js';
import { submitToLane } from '../../src/temporal/lane-client.js';
import { notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { Accepted } from '../schemas/deployments.js';
import { Compose, ComposeCheckInput, ComposeInput, DryRun, OverrideInput } from '../schemas/stacks.js';
import { dryRunBody } from '../stack-dry-run.js';
import {
  assertComposeShape,
  assertOverrideParses,
  assertStackApp,
  assertUploadedCompose,
  compileForEnvironment,
  isGitBackedStack,
  refuseDryRunWithoutCommit,
} from '../stack-compose.js';
import { AppParam } from './apps.js';
import { EnvParam, findEnvironment } from './environments.js';
import { hostDomains } from '../../src/domain/domain-pattern.js';

export function stackRoutes(deps: AppDeps) {
  const { db, config, temporal } = deps;
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/apps/{app}/compose',
      access: { need: 'manage', on: 'param.app' },
      tags: ['stacks'],
      summary: "Upload a stack app's compose file",
      description: 'Validated (YAML, the compose specification, Berth’s refusals) before it is stored; applies from the next deployment.',
      request: { params: AppParam, body: body(ComposeInput) },
      responses: { 200: json(Compose, 'Stored'), ...errorResponses },
    }),
    async (c) => {
      const a = await getAppByName(db, c.req.valid('param').app);
      if (!a) throw notFound('app');
      assertStackApp(a);
      assertUploadedCompose(a, await isGitBackedStack(db, a));
      const { compose } = c.req.valid('json');
      const { warnings } = assertComposeShape(config, compose);
      const [row] = await db
        .insert(appStacks)
        .values({ appId: a.id, compose })
        .onConflictDoUpdate({ target: appStacks.appId, set: { compose, updatedAt: sql`now()` } })
        .returning();
      return c.json({ compose, updatedAt: row?.updatedAt.toISOString() ?? null, warnings }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/apps/{app}/compose',
      access: { need: 'read', on: 'param.app' },
      tags: ['stacks'],
      request: { params: AppParam },
      responses: { 200: json(Compose, 'The compose file'), ...errorResponses },
    }),
    async (c) => {
      const a = await getAppByName(db, c.req.valid('param').app);
      if (!a) throw notFound('app');
      assertStackApp(a);
      const [row] = await db.select().from(appStacks).where(eq(appStacks.appId, a.id));
      return c.json({ compose: row?.compose ?? null, updatedAt: row?.updatedAt.toISOString() ?? null }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/apps/{app}/environments/{env}/compose-override',
      access: { need: 'manage', on: 'param.app' },
      tags: ['stacks'],
      summary: "Set (or remove) an environment's compose override",
      request: { params: EnvParam, body: body(OverrideInput) },
      responses: { 200: json(Compose, 'Stored'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      assertStackApp(a);
      const { compose } = c.req.valid('json');
      if (compose === null) {
        await db.delete(stackOverrides).where(eq(stackOverrides.environmentId, env.id));
        return c.json({ compose: null, updatedAt: null }, 200);
      }
      if (await isGitBackedStack(db, a)) {
        assertOverrideParses(compose);
      } else {
        const [base] = await db.select().from(appStacks).where(eq(appStacks.appId, a.id));
        assertComposeShape(config, base?.compose ?? 'services: {}', compose);
      }
      const [row] = await db
        .insert(stackOverrides)
        .values({ environmentId: env.id, compose })
        .onConflictDoUpdate({ target: stackOverrides.environmentId, set: { compose, updatedAt: sql`now()` } })
        .returning();
      return c.json({ compose, updatedAt: row?.updatedAt.toISOString() ?? null }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/apps/{app}/environments/{env}/stack/dry-run',
      access: { need: 'read', on: 'param.app' },
      tags: ['stacks'],
      summary: 'What a deployment would run: the normalised stack, the rollout order, the routes',
      description: 'For stacks with an uploaded compose file; a stack that reads its compose file from its repository answers 409 (the file exists only at a commit, which only a deployment fetches).',
      request: { params: EnvParam },
      responses: { 200: json(DryRun, 'The stack as it would be deployed'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      assertStackApp(a);
      if (await isGitBackedStack(db, a)) refuseDryRunWithoutCommit(a);
      const compiled = await compileForEnvironment(db, config, deps.secretBox, a, env, { showing: true });
      return c.json(dryRunBody(compiled, environmentHosts(a.name, env.name, config.appsDomain, hostDomains(env))), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/stack/dry-run',
      access: { list: 'read' },
      tags: ['stacks'],
      summary: 'Check a compose file before any app exists: what Berth would run of it, and what it translates',
      description:
        'Validates the file as an upload is validated (YAML, the compose specification, Berth’s refusals) and answers the dry run of what a stack app would run. Changes nothing. Routes list no host names: no app or environment names them yet.',
      request: { body: body(ComposeCheckInput) },
      responses: { 200: json(DryRun, 'The stack as it would be deployed'), ...errorResponses },
    }),
    (c) => {
      const { compose, variables } = c.req.valid('json');
      return c.json(dryRunBody(assertComposeShape(config, compose, null, variables ?? {}), []), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/apps/{app}/environments/{env}/stack',
      access: { need: 'manage', on: 'param.app' },
      tags: ['stacks'],
      summary: "Tear down the environment's stack",
      description: 'Queued in the environment’s lane: removes every service, network, secret, config, volume and route the stack owns.',
      request: { params: EnvParam },
      responses: { 202: json(Accepted, 'Queued'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      assertStackApp(a);
      const done = await submitToLane(temporal, { ...(await baseRequest(db, config, a, env)), trigger: 'teardown', kind: 'teardown' });
      return c.json(acceptedBody(config, done.deploymentId, done.workflowId), 202);
    },
  );

  return app;
}
