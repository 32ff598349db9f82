// An app's deploy rules, in order (the first match wins), and the dry run: "which rule would
// this push, tag or pull request match, and why not the others?"
import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { listEnvironments } from '../../db/queries/environments.js';
import { listRules } from '../../db/queries/git-sources.js';
import { deployRules } from '../../db/schema/index.js';
import { describeRule, matchRules, type DeployRule } from '../../src/domain/deploy-rules.js';
import { newId } from '../../src/ids.js';
import type { AppDeps } from '../deps.js';
import { invalid, notFound, type Issue } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { MatchInput, MatchResult, Rule, RuleInput, RulesInput } from '../schemas/rules.js';
import { AppParam, findApp } from './apps.js';

const present = (rule: DeployRule, position: number) => ({ ...rule, position, description: describeRule(rule) });
const Items = z.object({ items: z.array(Rule) });

async function assertEnvironments(db: Db, appId: string, rules: z.infer<typeof RuleInput>[], offset = 0) {
  const names = new Set((await listEnvironments(db, appId)).map((e) => e.name));
  const issues: Issue[] = rules.flatMap((r, i) =>
    names.has(r.environment) ? [] : [{ path: `rules.${i + offset}.environment`, message: `the app has no environment ${r.environment}` }],
  );
  if (issues.length) throw invalid(issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

export function ruleRoutes({ db }: AppDeps) {
  const app = newRouter();
  const values = (appId: string, r: z.infer<typeof RuleInput>, position: number) => ({
    id: newId('rul'),
    appId,
    position,
    event: r.event,
    pattern: r.pattern,
    base: r.base ?? null,
    paths: r.paths ?? null,
    environment: r.environment,
  });

  app.openapi(
    defineRoute({ method: 'get', path: '/{app}/rules', access: { need: 'read', on: 'param.app' }, tags: ['rules'], request: { params: AppParam }, responses: { 200: json(Items, 'Rules in order'), ...errorResponses } }),
    async (c) => {
      const a = await findApp(db, c.req.valid('param').app);
      return c.json({ items: (await listRules(db, a.id)).map(present) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/{app}/rules',
      access: { need: 'manage', on: 'param.app' },
      tags: ['rules'],
      summary: "Replace the app's rules",
      request: { params: AppParam, body: body(RulesInput) },
      responses: { 200: json(Items, 'The new rules'), ...errorResponses },
    }),
    async (c) => {
      const a = await findApp(db, c.req.valid('param').app);
      const { rules } = c.req.valid('json');
      await assertEnvironments(db, a.id, rules);
      await db.transaction(async (tx) => {
        await tx.delete(deployRules).where(eq(deployRules.appId, a.id));
        if (rules.length) await tx.insert(deployRules).values(rules.map((r, i) => values(a.id, r, i)));
      });
      return c.json({ items: (await listRules(db, a.id)).map(present) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/{app}/rules',
      access: { need: 'manage', on: 'param.app' },
      tags: ['rules'],
      summary: 'Add a rule after the others',
      request: { params: AppParam, body: body(RuleInput) },
      responses: { 201: json(Rule, 'Added'), ...errorResponses },
    }),
    async (c) => {
      const a = await findApp(db, c.req.valid('param').app);
      const rule = c.req.valid('json');
      await assertEnvironments(db, a.id, [rule]);
      const position = (await listRules(db, a.id)).length;
      if (position >= 100) throw invalid('an app has at most 100 rules');
      const [row] = await db.insert(deployRules).values(values(a.id, rule, position)).returning();
      const r = row as typeof deployRules.$inferSelect;
      return c.json(present({ ...r, paths: r.paths ?? null }, position), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{app}/rules/{id}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['rules'],
      request: { params: AppParam.extend({ id: z.string().regex(/^rul_[0-9a-z]{10,32}$/, 'a rule id') }) },
      responses: { 204: { description: 'Removed; later rules move up' }, ...errorResponses },
    }),
    async (c) => {
      const { app: name, id } = c.req.valid('param');
      const a = await findApp(db, name);
      await db.transaction(async (tx) => {
        const [gone] = await tx.delete(deployRules).where(and(eq(deployRules.appId, a.id), eq(deployRules.id, id))).returning();
        if (!gone) throw notFound(`rule ${id}`);
        // Two steps keep (app, position) unique while rules move up.
        await tx.update(deployRules).set({ position: sql`-${deployRules.position}` }).where(and(eq(deployRules.appId, a.id), sql`${deployRules.position} > ${gone.position}`));
        await tx.update(deployRules).set({ position: sql`-${deployRules.position} - 1` }).where(and(eq(deployRules.appId, a.id), sql`${deployRules.position} < 0`));
      });
      return c.body(null, 204);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/{app}/rules/match',
      access: { need: 'read', on: 'param.app' },
      tags: ['rules'],
      summary: 'Dry run: which rule matches this ref?',
      request: { params: AppParam, body: body(MatchInput) },
      responses: { 200: json(MatchResult, 'The first matching rule and every verdict up to it'), ...errorResponses },
    }),
    async (c) => {
      const a = await findApp(db, c.req.valid('param').app);
      const q = c.req.valid('json');
      const name = q.ref.replace(/^refs\/(heads|tags)\//, '');
      const rules = await listRules(db, a.id);
      const match = matchRules(rules, { event: q.event, name, base: q.base ?? null, changedPaths: q.paths ?? null });
      const position = match.rule ? rules.indexOf(match.rule) : -1;
      return c.json(
        {
          matched: match.rule !== null,
          rule: match.rule ? present(match.rule, position) : null,
          environment: match.rule ? (q.event === 'pull_request' ? `pr-<number> (from ${match.rule.environment})` : match.rule.environment) : null,
          checks: match.checks,
        },
        200,
      );
    },
  );

  return app;
}
