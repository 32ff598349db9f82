// A project's shared variables: every environment of every app in the project sees them, below
// its own (docs/variables.md). A change is checked against every one of those environments.
import { z } from '@hono/zod-openapi';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { projectVariableContext } from '../../db/queries/variables.js';
import { projects, projectVariables } from '../../db/schema/index.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json, Name } from '../schemas/common.js';
import { Variables, VariablesInput, VariablesPatch } from '../schemas/environments.js';
import { assertAppsVariables, projectAppIds, variableSite } from '../variable-checks.js';
import { presentVariables, variableRows } from '../variable-rows.js';

const ProjectParam = z.object({ project: Name });

async function findProject(db: Db, name: string) {
  const [row] = await db.select().from(projects).where(eq(projects.name, name));
  if (!row) throw notFound(`project ${name}`);
  return row;
}

export function projectVariableRoutes({ db, config, secretBox }: AppDeps) {
  const app = newRouter();
  const site = variableSite(config);
  const seal = (projectId: string) => (value: string, key: string) => secretBox.seal(value, projectVariableContext(projectId, key));

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{project}/variables',
      access: { need: 'read', on: 'param.project' },
      tags: ['projects'],
      description: 'The variables every environment of the project’s apps shares (secret ones by name only).',
      request: { params: ProjectParam },
      responses: { 200: json(Variables, 'Variables'), ...errorResponses },
    }),
    async (c) => {
      const p = await findProject(db, c.req.valid('param').project);
      return c.json(presentVariables(await db.select().from(projectVariables).where(eq(projectVariables.projectId, p.id))), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/{project}/variables',
      access: { need: 'manage', on: 'param.project' },
      tags: ['projects'],
      description:
        'Replaces all of the project’s shared variables; they apply from each environment’s next deployment. Keys listed in `secret` are sealed and never shown again. Refused (400 naming each key, nothing changed) when any environment of the project would break a reference or its app’s variable schema.',
      request: { params: ProjectParam, body: body(VariablesInput) },
      responses: { 200: json(Variables, 'Replaced'), ...errorResponses },
    }),
    async (c) => {
      const p = await findProject(db, c.req.valid('param').project);
      const { variables, secret } = c.req.valid('json');
      const rows = variableRows(variables, secret, seal(p.id)).map((r) => ({ ...r, projectId: p.id }));
      await db.transaction(async (tx) => {
        await tx.delete(projectVariables).where(eq(projectVariables.projectId, p.id));
        if (rows.length) await tx.insert(projectVariables).values(rows);
        await assertAppsVariables(tx, secretBox, site, await projectAppIds(tx, p.id));
      });
      return c.json(presentVariables(rows), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/{project}/variables',
      access: { need: 'manage', on: 'param.project' },
      tags: ['projects'],
      description: 'Sets and removes some of the project’s shared variables in one change, keeping the others. A key to remove that does not exist is a 404; a change that breaks an environment is a 400; either way nothing changes.',
      request: { params: ProjectParam, body: body(VariablesPatch) },
      responses: { 200: json(Variables, 'All of the project’s variables after the change'), ...errorResponses },
    }),
    async (c) => {
      const p = await findProject(db, c.req.valid('param').project);
      const { variables, secret, unset } = c.req.valid('json');
      const rows = variableRows(variables, secret, seal(p.id)).map((r) => ({ ...r, projectId: p.id }));
      const mine = eq(projectVariables.projectId, p.id);
      await db.transaction(async (tx) => {
        if (unset.length) {
          const removed = await tx.delete(projectVariables).where(and(mine, inArray(projectVariables.key, unset))).returning({ key: projectVariables.key });
          const missing = unset.filter((k) => !removed.some((r) => r.key === k));
          if (missing.length) throw notFound(`variable ${missing.join(', ')}`);
        }
        if (rows.length) {
          await tx.delete(projectVariables).where(and(mine, inArray(projectVariables.key, rows.map((r) => r.key))));
          await tx.insert(projectVariables).values(rows);
        }
        await assertAppsVariables(tx, secretBox, site, await projectAppIds(tx, p.id));
      });
      return c.json(presentVariables(await db.select().from(projectVariables).where(mine)), 200);
    },
  );

  return app;
}
