import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { getAppByName, listApps, type AppRow } from '../../db/queries/apps.js';
import { getGitSource, type GitSourceRow } from '../../db/queries/git-sources.js';
import { getGitHost } from '../../db/queries/git-hosts.js';
import { apps, appStacks, gitSources, projects } from '../../db/schema/index.js';
import { newId } from '../../src/ids.js';
import type { AppDeps } from '../deps.js';
import { assertBuildHost } from '../build-host.js';
import { DEFAULT_STATIC_SETTINGS } from '../../src/domain/static-site.js';
import { DEFAULT_COMPOSE_FILE } from '../../src/domain/git-build.js';
import { conflict, forbidden, invalid, notFound } from '../errors.js';
import type { Principal } from '../../src/domain/access.js';
import { newRouter } from '../router.js';
import { assertComposeShape } from '../stack-compose.js';
import { App, AppInput, AppPatch } from '../schemas/apps.js';
import { GIT_APP_ONLY } from '../schemas/git-sources.js';
import { body, errorResponses, json, Name } from '../schemas/common.js';

export const AppParam = z.object({ app: Name });

/** Looks up /apps/{app}, or throws a 404. */
export async function findApp(db: Db, name: string): Promise<AppRow> {
  const row = await getAppByName(db, name);
  if (!row) throw notFound(`app ${name}`);
  return row;
}

function presentGitSource(g: GitSourceRow | undefined) {
  if (!g) return null;
  return {
    repository: g.repository,
    url: g.url,
    gitHostId: g.gitHostId,
    dockerfile: g.dockerfile,
    context: g.context,
    buildArgs: g.buildArgs,
    previewIdleSeconds: g.previewIdleSeconds,
    composeFile: g.composeFile,
    forkPolicy: g.forkPolicy,
    forkApprovalLabel: g.forkApprovalLabel,
    buildHostId: g.buildHostId,
  };
}

/** A git host connection an app names must exist (400, not a foreign-key 500). */
async function assertGitHostExists(db: Db, id: string | null | undefined) {
  if (id && !(await getGitHost(db, id))) throw invalid(`no git host connection ${id}`, [{ path: 'git.gitHostId', message: 'not found' }]);
}

/** Apps with git settings: kind git, and stacks whose compose file comes from their repository. */
const mayHaveGit = (a: Pick<AppRow, 'kind'>) => a.kind === 'git' || a.kind === 'stack';

export function presentApp(a: AppRow, git?: GitSourceRow) {
  return {
    id: a.id,
    project: a.projectName,
    name: a.name,
    kind: a.kind,
    image: a.image,
    port: a.port,
    command: a.command ?? null,
    args: a.args ?? null,
    healthCheck: a.healthCheck,
    resources: a.resources,
    replicas: a.replicas,
    logDriver: a.logDriver ?? null,
    static: a.kind === 'static' ? (a.staticSite ?? DEFAULT_STATIC_SETTINGS) : null,
    ...(a.kind === 'git' || (a.kind === 'stack' && git) ? { git: presentGitSource(git) } : {}),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** A stack keeps where its compose file comes from: uploaded stays uploaded, the repository stays the repository. */
function assertStackGitPatch(git: Record<string, unknown>, gitBacked: boolean): void {
  if (!gitBacked) throw invalid('this stack’s compose file is uploaded (PUT /apps/{app}/compose); it has no git settings', [{ path: 'git', message: 'not for a stack with an uploaded compose file' }]);
  const key = GIT_APP_ONLY.find((k) => git[k] !== undefined);
  if (key) throw invalid(`git.${key} is not for stacks: each service’s build: in the compose file says how it is built`, [{ path: `git.${key}`, message: 'not for apps of kind stack' }]);
}

/**
 * A file:// repository is read from the worker's own disk (any repository there, other
 * deployments' checkouts included): only instance administrators may point an app at one.
 */
function assertGitUrlAllowed(principal: Principal | null, url: string | null | undefined): void {
  if (!url || !/^file:/i.test(url)) return;
  if (!principal?.isAdmin || principal.projectRestriction !== null) {
    throw forbidden('file:// repositories are read from the worker’s own disk: only instance administrators may use them');
  }
}

export function appRoutes({ db, config }: AppDeps) {
  const app = newRouter();
  const present = async (a: AppRow) => presentApp(a, mayHaveGit(a) ? await getGitSource(db, a.id) : undefined);

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/',
      access: { need: 'manage', on: 'body.project' },
      tags: ['apps'],
      request: { body: body(AppInput) },
      responses: { 201: json(App, 'Created'), ...errorResponses },
    }),
    async (c) => {
      const { project, git, static: site, compose, ...input } = c.req.valid('json');
      assertGitUrlAllowed(c.get('principal'), git?.url);
      const [owner] = await db.select().from(projects).where(eq(projects.name, project));
      if (!owner) throw notFound(`project ${project}`);
      if (compose !== undefined) assertComposeShape(config, compose);
      await assertGitHostExists(db, git?.gitHostId);
      await assertBuildHost(db, config, git?.buildHostId);
      const row = await db.transaction(async (tx) => {
        const [made] = await tx
          .insert(apps)
          .values({
            id: newId('app'),
            projectId: owner.id,
            ...input,
            image: input.image ?? null,
            staticSite: input.kind === 'static' ? (site ?? DEFAULT_STATIC_SETTINGS) : null,
          })
          .onConflictDoNothing()
          .returning();
        if (made && git) {
          const composeFile = input.kind === 'stack' ? (git.composeFile ?? DEFAULT_COMPOSE_FILE) : null;
          await tx.insert(gitSources).values({ appId: made.id, ...git, repository: git.repository ?? null, url: git.url ?? null, composeFile });
        }
        if (made && compose !== undefined) await tx.insert(appStacks).values({ appId: made.id, compose });
        return made;
      });
      if (!row) throw conflict(`an app named ${input.name} already exists`);
      return c.json(await present({ ...row, projectName: owner.name }), 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/',
      access: { list: 'read' },
      tags: ['apps'],
      request: { query: z.object({ project: Name.optional() }) },
      responses: { 200: json(z.object({ items: z.array(App) }), 'Apps'), ...errorResponses },
    }),
    async (c) => {
      const { project } = c.req.valid('query');
      const visible = await c.get('gate').visibleProjects(c);
      let projectIds = visible;
      if (project) {
        const [p] = await db.select().from(projects).where(eq(projects.name, project));
        if (!p || (visible !== null && !visible.includes(p.id))) throw notFound(`project ${project}`);
        projectIds = [p.id];
      }
      return c.json({ items: await Promise.all((await listApps(db, projectIds)).map(present)) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}',
      access: { need: 'read', on: 'param.app' },
      tags: ['apps'],
      request: { params: AppParam },
      responses: { 200: json(App, 'The app'), ...errorResponses },
    }),
    async (c) => {
      const row = await getAppByName(db, c.req.valid('param').app);
      if (!row) throw notFound('app');
      return c.json(await present(row), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'patch',
      path: '/{app}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['apps'],
      description: 'Changes apply to the next deployment; releases already made keep their settings.',
      request: { params: AppParam, body: body(AppPatch) },
      responses: { 200: json(App, 'Updated'), ...errorResponses },
    }),
    async (c) => {
      const existing = await getAppByName(db, c.req.valid('param').app);
      if (!existing) throw notFound('app');
      const { git, static: site, ...patch } = c.req.valid('json');
      assertGitUrlAllowed(c.get('principal'), git?.url);
      if (git && !mayHaveGit(existing)) throw invalid('only apps of kind git or stack have git settings', [{ path: 'git', message: `app is of kind ${existing.kind}` }]);
      if (site && existing.kind !== 'static') throw invalid('only apps of kind static have static settings', [{ path: 'static', message: 'not a static app' }]);
      if (patch.logDriver && (existing.kind === 'static' || existing.kind === 'stack')) throw invalid(`apps of kind ${existing.kind} have no log driver setting`, [{ path: 'logDriver', message: `not for apps of kind ${existing.kind}` }]);
      if (git) {
        const current = await getGitSource(db, existing.id);
        if (existing.kind === 'stack') assertStackGitPatch(git, current !== undefined);
        else if (git.composeFile !== undefined) throw invalid('only apps of kind stack read a compose file from the repository', [{ path: 'git.composeFile', message: 'not for apps of kind git' }]);
        const next = { repository: current?.repository ?? null, url: current?.url ?? null, ...git };
        await assertGitHostExists(db, git.gitHostId);
        await assertBuildHost(db, config, git.buildHostId);
        if (!next.repository && !next.url) throw invalid(`an app of kind ${existing.kind} with git settings needs repository or url`, [{ path: 'git', message: 'both would be empty' }]);
        await db.update(gitSources).set(git).where(eq(gitSources.appId, existing.id));
      }
      if (Object.keys(patch).length > 0 || site) {
        await db
          .update(apps)
          .set({ ...patch, ...(site ? { staticSite: site } : {}), updatedAt: sql`now()` })
          .where(eq(apps.id, existing.id));
      }
      return c.json(await present((await getAppByName(db, existing.name)) as AppRow), 200);
    },
  );

  return app;
}
