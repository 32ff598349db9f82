// An app's variable schema: the keys its environments must have, their types, which must be
// secret. Setting one checks every environment of the app first: a schema the app's
// environments do not satisfy is refused, naming each key, so a deploy never meets it first.
import { eq, sql } from 'drizzle-orm';
import { getAppByName } from '../../db/queries/apps.js';
import { apps } from '../../db/schema/index.js';
import { ruleProblem, type VariableSchema as Schema } from '../../src/domain/variable-schema.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { invalid, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { VariableSchema, VariableSchemaInput } from '../schemas/variables.js';
import { assertAppsVariables, variableSite } from '../variable-checks.js';
import { AppParam } from './apps.js';

export function variableSchemaRoutes({ db, config, secretBox }: AppDeps) {
  const app = newRouter();
  const site = variableSite(config);

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/variable-schema',
      access: { need: 'read', on: 'param.app' },
      tags: ['apps'],
      request: { params: AppParam },
      responses: { 200: json(VariableSchema, 'The schema (no keys: none)'), ...errorResponses },
    }),
    async (c) => {
      const a = await getAppByName(db, c.req.valid('param').app);
      if (!a) throw notFound('app');
      return c.json({ variables: a.variableSchema ?? {} }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/{app}/variable-schema',
      access: { need: 'manage', on: 'param.app' },
      tags: ['apps'],
      description:
        'Replaces the app’s variable schema (no keys removes it). Checked against every environment of the app: a schema they do not satisfy is refused with a 400 naming each key, and nothing changes.',
      request: { params: AppParam, body: body(VariableSchemaInput) },
      responses: { 200: json(VariableSchema, 'Replaced'), ...errorResponses },
    }),
    async (c) => {
      const a = await getAppByName(db, c.req.valid('param').app);
      if (!a) throw notFound('app');
      const schema: Schema = c.req.valid('json').variables;
      const problems = Object.entries(schema).flatMap(([key, rule]) => {
        const problem = ruleProblem(rule);
        return problem ? [{ path: `variables.${key}`, message: problem }] : [];
      });
      if (problems.length) throw invalid(`variable schema: ${problems.map((p) => p.path).join(', ')}`, problems);
      const stored = Object.keys(schema).length ? schema : null;
      await db.transaction(async (tx) => {
        await tx.update(apps).set({ variableSchema: stored, updatedAt: sql`now()` }).where(eq(apps.id, a.id));
        await assertAppsVariables(tx, secretBox, site, [a.id]);
      });
      return c.json({ variables: stored ?? {} }, 200);
    },
  );

  return app;
}
