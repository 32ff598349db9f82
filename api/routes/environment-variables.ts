// An environment's own variables, and the effective ones a deploy would get. Every change is
// checked in its transaction (references, the app's schema, for every environment of the app,
// since children inherit) and rolls back whole when refused.
import { z } from '@hono/zod-openapi';
import { and, eq, inArray } from 'drizzle-orm';
import { effectiveVariables, variableSecretContext } from '../../db/queries/variables.js';
import { environmentVariables } from '../../db/schema/index.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { Variables, VariablesInput, VariablesPatch } from '../schemas/environments.js';
import { EffectiveVariables } from '../schemas/variables.js';
import { assertAppsVariables, variableSite } from '../variable-checks.js';
import { presentVariables, variableRows } from '../variable-rows.js';
import { EnvParam, findEnvironment } from './environments.js';

export function environmentVariableRoutes({ db, config, secretBox }: AppDeps) {
  const app = newRouter();
  const site = variableSite(config);

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/environments/{env}/variables',
      access: { need: 'read', on: 'param.app' },
      tags: ['environments'],
      description: "The environment's own variables (inherited ones are not listed: see …/variables/effective).",
      request: { params: EnvParam },
      responses: { 200: json(Variables, 'Variables'), ...errorResponses },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const rows = await db.select().from(environmentVariables).where(eq(environmentVariables.environmentId, env.id));
      return c.json(presentVariables(rows), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/environments/{env}/variables/effective',
      access: { need: 'read', on: 'param.app' },
      tags: ['environments'],
      description:
        'What the next deploy gets: the project’s variables, the environment’s through its parent chain, references resolved; each with the level it came from. Secret values (and values that take one by reference) are null.',
      request: { params: EnvParam },
      responses: { 200: json(EffectiveVariables, 'Effective variables'), ...errorResponses },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const { variables, errors } = await effectiveVariables(db, secretBox, env.id, { deploymentId: null, site });
      const items = Object.keys(variables)
        .sort()
        .map((key) => {
          const v = variables[key] as (typeof variables)[string];
          return { key, value: v.secret ? null : v.value, secret: v.secret, source: v.source };
        });
      return c.json({ items, errors }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/{app}/environments/{env}/variables',
      access: { need: 'manage', on: 'param.app' },
      tags: ['environments'],
      description:
        'Replaces all of the environment’s own variables; they apply from the next deployment. Keys listed in `secret` are sealed and never shown again. Refused (400 naming each key, nothing changed) when a reference would not resolve or the app’s variable schema would not hold.',
      request: { params: EnvParam, body: body(VariablesInput) },
      responses: { 200: json(Variables, 'Replaced'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const { variables, secret } = c.req.valid('json');
      const rows = variableRows(variables, secret, (value, key) => secretBox.seal(value, variableSecretContext(env.id, key))).map((r) => ({ ...r, environmentId: env.id }));
      await db.transaction(async (tx) => {
        await tx.delete(environmentVariables).where(eq(environmentVariables.environmentId, env.id));
        if (rows.length) await tx.insert(environmentVariables).values(rows);
        await assertAppsVariables(tx, secretBox, site, [a.id]);
      });
      return c.json(presentVariables(rows), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/{app}/environments/{env}/variables',
      access: { need: 'manage', on: 'param.app' },
      tags: ['environments'],
      description:
        'Sets and removes some of the environment’s own variables in one change, keeping the others; they apply from the next deployment. A key to remove that does not exist is a 404, and nothing changes; so is a change that breaks a reference or the app’s variable schema (400).',
      request: { params: EnvParam, body: body(VariablesPatch) },
      responses: { 200: json(Variables, 'All of the environment’s own variables after the change'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const { variables, secret, unset } = c.req.valid('json');
      const rows = variableRows(variables, secret, (value, key) => secretBox.seal(value, variableSecretContext(env.id, key))).map((r) => ({ ...r, environmentId: env.id }));
      const mine = eq(environmentVariables.environmentId, env.id);
      await db.transaction(async (tx) => {
        if (unset.length) {
          const removed = await tx.delete(environmentVariables).where(and(mine, inArray(environmentVariables.key, unset))).returning({ key: environmentVariables.key });
          const missing = unset.filter((k) => !removed.some((r) => r.key === k));
          // Thrown inside the transaction: the removals roll back with it.
          if (missing.length) throw notFound(`variable ${missing.join(', ')}`);
        }
        if (rows.length) {
          await tx.delete(environmentVariables).where(and(mine, inArray(environmentVariables.key, rows.map((r) => r.key))));
          await tx.insert(environmentVariables).values(rows);
        }
        await assertAppsVariables(tx, secretBox, site, [a.id]);
      });
      const all = await db.select().from(environmentVariables).where(mine);
      return c.json(presentVariables(all), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{app}/environments/{env}/variables/{key}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['environments'],
      request: { params: EnvParam.extend({ key: z.string().max(128) }) },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      const { app: appName, env: envName, key } = c.req.valid('param');
      const { app: a, env } = await findEnvironment(db, appName, envName);
      await db.transaction(async (tx) => {
        const removed = await tx
          .delete(environmentVariables)
          .where(and(eq(environmentVariables.environmentId, env.id), eq(environmentVariables.key, key)))
          .returning();
        if (removed.length === 0) throw notFound(`variable ${key}`);
        await assertAppsVariables(tx, secretBox, site, [a.id]);
      });
      return c.body(null, 204);
    },
  );

  return app;
}
