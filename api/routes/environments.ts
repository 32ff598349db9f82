import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { getAppAndEnvironment, getAppByName, type AppRow } from '../../db/queries/apps.js';
import { getEnvironment, getEnvironmentById, listEnvironments, type EnvironmentRow } from '../../db/queries/environments.js';
import { environments } from '../../db/schema/index.js';
import type { Config } from '../../src/config.js';
import { resolveCanary, type ReleaseStrategy } from '../../src/domain/canary.js';
import { appKindRunsStrategy, environmentStrategy } from '../../src/domain/release-strategy.js';
import { effectiveSettings } from '../../db/queries/environment-settings.js';
import { hostDomains } from '../../src/domain/domain-pattern.js';
import { environmentHosts } from '../../src/domain/route.js';
import { newId } from '../../src/ids.js';
import type { AppDeps } from '../deps.js';
import { applyEnvironment } from '../apply-environment.js';
import { assertDomainsFree, refreshPatternDomains } from '../domain-rules.js';
import { assertPlacement, assertSpread } from '../environment-placement.js';
import { assertHttpsFits, httpsOf } from '../https-rules.js';
import { conflict, invalid, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json, Name } from '../schemas/common.js';
import { Environment, EnvironmentInput, EnvironmentPatch } from '../schemas/environments.js';
import { AppParam } from './apps.js';
import { copyVariables, templateSettings } from '../environment-template.js';
import { environmentIssues, refusal, variableSite } from '../variable-checks.js';
import { sameSpread } from '../../src/domain/spread.js';

export const EnvParam = z.object({ app: Name, env: Name });

/** An environment as the API shows it: its settings as deploys use them, each with its source. */
export async function presentEnvironment(db: Db, config: Config, app: AppRow, env: EnvironmentRow) {
  const hosts = environmentHosts(app.name, env.name, config.appsDomain, hostDomains(env));
  const parentName = env.parentId ? ((await getEnvironmentById(db, env.parentId))?.name ?? null) : null;
  const { settings, sources } = await effectiveSettings(db, env.id, config.deploys.watchSeconds);
  // No strategy set in the chain: the environment's own canary settings choose.
  const strategySource = settings.strategy === null && env.canary ? { level: 'environment' as const, environment: env.name } : sources.strategy;
  return {
    id: env.id,
    app: app.name,
    name: env.name,
    hosts,
    url: `http://${hosts[0]}:${config.traefik.port}`,
    domains: env.domains,
    https: httpsOf(env.https),
    ...settings,
    strategy: environmentStrategy(settings.strategy, env.canary),
    settingSources: { ...sources, strategy: strategySource },
    canary: resolveCanary(env.canary),
    parent: parentName,
    hostId: env.hostId,
    placement: env.hostId ?? config.hostId,
    spread: env.spread ?? null,
    liveReleaseId: env.liveReleaseId,
    liveDeploymentId: env.liveDeploymentId,
    createdAt: env.createdAt.toISOString(),
  };
}

/** Looks up /apps/{app}/environments/{env}, or throws a 404 naming what is missing. */
export async function findEnvironment(db: Db, appName: string, envName: string): Promise<{ app: AppRow; env: EnvironmentRow }> {
  const found = await getAppAndEnvironment(db, appName, envName);
  if (!found) throw notFound(`app ${appName}`);
  if (!found.env) throw notFound(`environment ${envName} of app ${appName}`);
  return { app: found.app, env: found.env };
}

/** A strategy the app's kind cannot deploy with is refused before anything is stored. */
function assertStrategyFits(app: AppRow, strategy: ReleaseStrategy | null | undefined): void {
  if (strategy && !appKindRunsStrategy(app.kind, strategy)) {
    const kinds = 'image, git, static and stack apps';
    throw invalid(`app ${app.name} is of kind ${app.kind}: ${strategy} is for ${kinds}`, [{ path: 'strategy', message: `not for apps of kind ${app.kind}` }]);
  }
}

export function environmentRoutes({ db, config, secretBox, temporal }: AppDeps) {
  const app = newRouter();
  const present = (a: AppRow, env: EnvironmentRow) => presentEnvironment(db, config, a, env);

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/{app}/environments',
      access: { need: 'manage', on: 'param.app' },
      tags: ['environments'],
      request: { params: AppParam, body: body(EnvironmentInput) },
      responses: { 201: json(Environment, 'Created'), ...errorResponses },
    }),
    async (c) => {
      const a = await getAppByName(db, c.req.valid('param').app);
      if (!a) throw notFound('app');
      const { parent, from, ...asked } = c.req.valid('json');
      const template = from ? await getEnvironment(db, a.id, from) : undefined;
      if (from && !template) throw invalid(`environment ${from} to copy does not exist`, [{ path: 'from', message: 'no such environment' }]);
      // The parsed body has every default filled in: the raw one says which settings were given.
      const input = template ? templateSettings(asked, template, await c.req.json<Record<string, unknown>>()) : asked;
      let parentId: string | null = template?.parentId ?? null;
      if (parent) {
        const p = await getEnvironment(db, a.id, parent);
        if (!p) throw invalid(`parent environment ${parent} does not exist`, [{ path: 'parent', message: 'no such environment' }]);
        parentId = p.id;
      }
      assertStrategyFits(a, input.strategy);
      await assertPlacement(db, input.hostId, a, config.hostId);
      await assertSpread(db, input.spread, a, config.hostId, config.builds.registry);
      await assertDomainsFree(db, config.appsDomain, input.domains);
      await assertHttpsFits(db, config, null, httpsOf(input.https), input.domains);
      const row = await db.transaction(async (tx) => {
        const [inserted] = await tx
          .insert(environments)
          .values({ id: newId('env'), appId: a.id, parentId, ...input })
          .onConflictDoNothing()
          .returning();
        if (!inserted) throw conflict(`app ${a.name} already has an environment ${input.name}`);
        if (template) await copyVariables(tx, secretBox, template.id, inserted.id);
        // Its name under the domains pattern it sets or inherits (a new environment changes no other's).
        const renamed = await refreshPatternDomains(tx, a.id, a.name, config.appsDomain);
        const made = renamed.includes(inserted.id) ? ((await getEnvironmentById(tx, inserted.id)) ?? inserted) : inserted;
        // An environment the app's variable schema (or a reference) refuses is not made.
        const issues = await environmentIssues(tx, secretBox, variableSite(config), a, made);
        if (issues.length) throw refusal(issues);
        return made;
      });
      return c.json(await present(a, row), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/environments',
      access: { need: 'read', on: 'param.app' },
      tags: ['environments'],
      request: { params: AppParam },
      responses: { 200: json(z.object({ items: z.array(Environment) }), 'Environments'), ...errorResponses },
    }),
    async (c) => {
      const a = await getAppByName(db, c.req.valid('param').app);
      if (!a) throw notFound('app');
      const rows = await listEnvironments(db, a.id);
      return c.json({ items: await Promise.all(rows.map((e) => present(a, e))) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/environments/{env}',
      access: { need: 'read', on: 'param.app' },
      tags: ['environments'],
      request: { params: EnvParam },
      responses: { 200: json(Environment, 'The environment'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      return c.json(await present(a, env), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/{app}/environments/{env}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['environments'],
      request: { params: EnvParam, body: body(EnvironmentPatch) },
      responses: { 200: json(Environment, 'Updated'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const { https: httpsChange, ...rest } = c.req.valid('json');
      const https = httpsChange ? { ...httpsOf(env.https), ...httpsChange } : undefined;
      const patch = { ...rest, ...(https ? { https } : {}) };
      assertStrategyFits(a, patch.strategy);
      // Staying on a draining host is not a new placement; moving onto one is.
      if (patch.hostId !== undefined && patch.hostId !== env.hostId) {
        // Its containers would stay behind on the old host: a deployed environment moves by a deployment.
        if (env.liveReleaseId) throw conflict(`environment ${env.name} has a live release on host ${env.hostId ?? config.hostId}: move it with POST …/environments/${env.name}/move`);
        await assertPlacement(db, patch.hostId, a, config.hostId);
      }
      if (patch.spread !== undefined && !sameSpread(patch.spread, env.spread ?? null)) {
        // Hosts a change leaves would keep the live release's containers: it applies before the first deploy.
        if (env.liveReleaseId) throw conflict(`environment ${env.name} has a live release: its spread changes only while nothing is live (the hosts it left would keep its containers)`);
        await assertSpread(db, patch.spread, a, config.hostId, config.builds.registry);
      }
      if (patch.domains) await assertDomainsFree(db, config.appsDomain, patch.domains, env.id);
      if (patch.domains || https) await assertHttpsFits(db, config, env.id, https ?? httpsOf(env.https), patch.domains ?? env.domains);
      const { row, renamed } = await db.transaction(async (tx) => {
        if (Object.keys(patch).length) await tx.update(environments).set({ ...patch, updatedAt: sql`now()` }).where(eq(environments.id, env.id));
        // A pattern reaches every environment below this one that sets none of its own.
        const renamed = patch.domainPattern !== undefined ? await refreshPatternDomains(tx, a.id, a.name, config.appsDomain) : [];
        const [row] = await tx.select().from(environments).where(eq(environments.id, env.id));
        return { row: row as EnvironmentRow, renamed };
      });
      // Domains and HTTPS apply now, not at the next deploy: the routes are written again.
      if (patch.domains || patch.https) await applyEnvironment(temporal, config, env.id);
      for (const id of renamed.filter((id) => id !== env.id || !(patch.domains || patch.https))) await applyEnvironment(temporal, config, id);
      return c.json(await present(a, row), 200);
    },
  );

  return app;
}
