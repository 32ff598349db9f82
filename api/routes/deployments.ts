import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import { eq } from 'drizzle-orm';
import { getAppByName } from '../../db/queries/apps.js';
import { sealOverrides } from '../../db/queries/variables.js';
import { deploymentVariables } from '../../db/schema/index.js';
import type { VariableValue } from '../../src/domain/variable-layers.js';
import { assertDeployVariables, variableSite } from '../variable-checks.js';
import { getDeployment, listDeployments, listPhases, listServicePhases, logsAfter } from '../../db/queries/deployments.js';
import { presentDeployment } from '../present-deployment.js';
import { getEnvironment } from '../../db/queries/environments.js';
import { getRelease, releasesByLastLive } from '../../db/queries/releases.js';
import { refuseStackStrategy } from '../../src/domain/stack-strategy.js';
import { isFinalStatus, type DeployRequest } from '../../src/domain/deployment.js';
import { ARCHIVE_MEDIA_TYPES, isArchiveUpload } from '../archive-upload.js';
import { submitStaticDeploy } from '../static-deploy.js';
import { acceptedBody, baseRequest } from '../deploy-requests.js';
import type { AppDeps } from '../deps.js';
import { deployStrategy } from '../deploy-strategy.js';
import { conflict, invalid, notFound } from '../errors.js';
import { cancelInLane, readLane, submitToLane } from '../../src/temporal/lane-client.js';
import { newRouter } from '../router.js';
import { errorResponses, Id, json, PageQuery, unansweredResponse } from '../schemas/common.js';
import { Accepted, DeployInput, Deployment, DeploymentDetail, DeploymentFilter, LogLine, RollbackInput } from '../schemas/deployments.js';
import { deploymentDetail } from '../deployment-detail.js';
import { compileForEnvironment, isGitBackedStack } from '../stack-compose.js';
import { assertStackPlacement } from '../stack-placement.js';
import { deploymentEvents } from './deployment-events.js';
import { gitSourceFor } from './git-deploys.js';
import { EnvParam, findEnvironment } from './environments.js';

const DeploymentParam = z.object({ id: Id });
const Page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** A deploy's own variables as the body gives them, each with its secret flag. */
function overridesOf(input: { variables?: Record<string, string> | undefined; secret?: string[] | undefined }): Record<string, VariableValue> {
  const secret = new Set(input.secret ?? []);
  return Object.fromEntries(Object.entries(input.variables ?? {}).map(([key, value]) => [key, { value, secret: secret.has(key) }]));
}

export function deploymentRoutes(deps: AppDeps) {
  const { db, config, temporal } = deps;
  const app = newRouter();

  async function listPage(q: Parameters<typeof listDeployments>[1]) {
    const rows = await listDeployments(db, q);
    const phases = await listPhases(db, rows.map((r) => r.id));
    const services = await listServicePhases(db, rows.map((r) => r.id));
    const items = rows.map((r) =>
      presentDeployment(config, r, phases.filter((p) => p.deploymentId === r.id), services.filter((p) => p.deploymentId === r.id)),
    );
    return { items, nextCursor: rows.length === q.limit ? (rows[rows.length - 1]?.id ?? null) : null };
  }

  const accepted = (deploymentId: string, workflowId: string) => acceptedBody(config, deploymentId, workflowId);

  /**
   * A deploy's own variables are stored (secret ones sealed) under its deployment id before it
   * is queued: the request that travels through Temporal names the deployment, never a value.
   */
  async function submitWithOverrides(request: DeployRequest, overrides: Record<string, VariableValue>) {
    if (Object.keys(overrides).length === 0) {
      const done = await submitToLane(temporal, request);
      return accepted(done.deploymentId, done.workflowId);
    }
    await db.insert(deploymentVariables).values({ deploymentId: request.deploymentId, environmentId: request.environmentId, ...sealOverrides(deps.secretBox, request.deploymentId, overrides) });
    try {
      const done = await submitToLane(temporal, request);
      return accepted(done.deploymentId, done.workflowId);
    } catch (err) {
      // Not queued: its overrides must not outlive the request.
      await db.delete(deploymentVariables).where(eq(deploymentVariables.deploymentId, request.deploymentId));
      throw err;
    }
  }

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/apps/{app}/environments/{env}/deployments',
      access: { need: 'deploy', on: 'param.app' },
      tags: ['deployments'],
      summary: 'Deploy an image, a static site’s .tar.gz, or a stack’s compose file',
      description:
        'Queues a deployment in the environment’s lane; answers once it is recorded, before it runs. Image, git and stack apps send JSON; static apps send their site as a .tar.gz body, checked before the answer (a bad archive gets a 4xx naming the entry).',
      request: {
        params: EnvParam,
        body: {
          required: false,
          content: {
            'application/json': { schema: DeployInput },
            ...Object.fromEntries(ARCHIVE_MEDIA_TYPES.map((t) => [t, { schema: z.string().openapi({ format: 'binary', description: 'A .tar.gz of the site (static apps)' }) }])),
          },
        },
      },
      responses: { 202: json(Accepted, 'Queued'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const archive = isArchiveUpload(c.req.header('content-type'));
      if (a.kind === 'static') {
        if (!archive) throw invalid(`app ${a.name} is a static site: send its .tar.gz with content-type application/gzip`);
        const done = await submitStaticDeploy(c, { db, config, temporal }, a, env);
        return c.json(accepted(done.deploymentId, done.workflowId), 202);
      }
      if (archive) throw invalid(`app ${a.name} is of kind ${a.kind}: it deploys ${a.kind === 'stack' ? 'its compose file' : 'images'}, not archives`);
      const input = c.req.valid('json');
      const overrides = overridesOf(input);
      const strategy = deployStrategy(a, env, input);
      // The request's own reads (only reads) go beside the checks: each round trip is on every deploy's path.
      const based = baseRequest(db, config, a, env);
      based.catch(() => undefined); // surfaces where awaited, unless a refusal comes first
      // Refused before anything is stored or queued, exactly as the release would refuse it.
      await assertDeployVariables(db, deps.secretBox, variableSite(config), a, env, overrides);
      if (a.kind === 'git' || (await isGitBackedStack(db, a))) {
        // A git-backed stack builds and compiles at the commit, so nothing more can be checked before it is fetched.
        if (input.image) throw invalid(`app ${a.name} builds from its repository: give ref or sha`, [{ path: 'image', message: `not for apps of kind ${a.kind} with git settings` }]);
        const base = await based;
        const request: DeployRequest = { ...base, ...strategy, kind: 'deploy', source: await gitSourceFor(db, config, a.id, input, { name: env.name, hosts: base.hosts }) };
        return c.json(await submitWithOverrides(request, overrides), 202);
      }
      if (input.ref || input.sha) {
        throw invalid(`app ${a.name} deploys ${a.kind === 'stack' ? 'its uploaded compose file' : 'images'}: ref and sha are for apps built from a repository (kind git, or stacks with git settings)`, [
          { path: input.ref ? 'ref' : 'sha', message: `not for apps of kind ${a.kind}${a.kind === 'stack' ? ' without git settings' : ''}` },
        ]);
      }
      if (a.kind === 'stack') {
        if (input.image) throw invalid('a stack deploys its compose file; it takes no image', [{ path: 'image', message: 'not for stacks' }]);
        // Refused here, before anything runs, exactly as the rollout would refuse it.
        const compiled = await compileForEnvironment(db, config, deps.secretBox, a, env, { overrides });
        await assertStackPlacement(db, compiled, config.hostId);
        // A strategy the deploy names needs an exposed service to move (the environment's own
        // setting does not refuse deploys: such a rollout records its canary or preview skipped).
        const named = input.strategy ?? (input.canary ? 'canary' : undefined);
        const refused = named && named !== 'all-at-once' ? refuseStackStrategy(compiled.plan, named) : null;
        if (refused) throw invalid(`app ${a.name}: ${refused}`, [{ path: input.canary && !input.strategy ? 'canary' : 'strategy', message: 'no exposed service to move' }]);
        return c.json(await submitWithOverrides({ ...(await based), ...strategy, kind: 'deploy' }, overrides), 202);
      }
      const image = input.image ?? a.image;
      if (!image) throw invalid('no image given and the app has no default image', [{ path: 'image', message: 'required' }]);
      if (a.kind !== 'image') throw invalid(`app ${a.name} is of kind ${a.kind}, which does not deploy images`);
      return c.json(await submitWithOverrides({ ...(await based), ...strategy, kind: 'deploy', image }, overrides), 202);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/apps/{app}/environments/{env}/rollback',
      access: { need: 'deploy', on: 'param.app' },
      tags: ['deployments'],
      summary: 'Roll back to an earlier release',
      description: 'Instant when the release kept its containers; otherwise they are recreated from the pinned image.',
      request: { params: EnvParam, body: { required: false, content: { 'application/json': { schema: RollbackInput } } } },
      responses: { 202: json(Accepted, 'Queued'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const chosen = async () => {
        let releaseId = c.req.valid('json').releaseId;
        if (!releaseId) {
          const earlier = (await releasesByLastLive(db, env.id)).find((r) => r.releaseId !== env.liveReleaseId);
          if (!earlier) throw conflict('there is no earlier release to roll back to');
          releaseId = earlier.releaseId;
        }
        const release = await getRelease(db, releaseId);
        if (!release || release.environmentId !== env.id) throw notFound(`release ${releaseId} of this environment`);
        return release;
      };
      // The release and the environment's settings are read side by side: a rollback inside the
      // standby window is a route switch, and these reads are a good part of its time.
      const [release, base] = await Promise.all([chosen(), baseRequest(db, config, a, env)]);
      if (release.id === env.liveReleaseId) throw conflict(`release ${release.number} is already live`);
      // Inside the hot-standby window an idle lane switches the route alone (workflows/standby-switch.ts).
      const standby = env.standbyReleaseId === release.id && (env.standbyUntil?.getTime() ?? 0) > Date.now();
      const request: DeployRequest = { ...base, trigger: 'rollback', kind: 'rollback', releaseId: release.id, ...(standby ? { standby } : {}) };
      const done = await submitToLane(temporal, request);
      return c.json(accepted(done.deploymentId, done.workflowId), 202);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/apps/{app}/environments/{env}/deployments',
      access: { need: 'read', on: 'param.app' },
      tags: ['deployments'],
      request: { params: EnvParam, query: PageQuery.extend({ status: DeploymentFilter.shape.status }) },
      responses: { 200: json(Page(Deployment), 'Newest first'), ...errorResponses },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const q = c.req.valid('query');
      return c.json(await listPage({ environmentId: env.id, status: q.status, before: q.cursor, limit: q.limit }), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/deployments',
      access: { list: 'read' },
      tags: ['deployments'],
      request: { query: PageQuery.extend(DeploymentFilter.shape) },
      responses: { 200: json(Page(Deployment), 'Newest first'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const projectIds = await c.get('gate').visibleProjects(c);
      let appId: string | undefined;
      let environmentId: string | undefined;
      if (q.app) {
        const a = await getAppByName(db, q.app);
        if (!a || (projectIds !== null && !projectIds.includes(a.projectId))) throw notFound(`app ${q.app}`);
        appId = a.id;
        if (q.environment) environmentId = (await getEnvironment(db, a.id, q.environment))?.id ?? 'none';
      } else if (q.environment) {
        throw invalid('environment filter needs app', [{ path: 'environment', message: 'give app too' }]);
      }
      return c.json(await listPage({ projectIds, appId, environmentId, status: q.status, before: q.cursor, limit: q.limit }), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/deployments/{id}',
      access: { need: 'read', on: 'param.deployment' },
      tags: ['deployments'],
      request: { params: DeploymentParam },
      responses: { 200: json(DeploymentDetail, 'The deployment with its phases, release and what is live now'), ...errorResponses },
    }),
    async (c) => {
      const d = await getDeployment(db, c.req.valid('param').id);
      if (!d) throw notFound('deployment');
      return c.json({ ...presentDeployment(config, d, d.phases, d.servicePhases), ...(await deploymentDetail(db, d)) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/deployments/{id}/cancel',
      access: { need: 'deploy', on: 'param.deployment' },
      tags: ['deployments'],
      description: 'A queued deployment never runs; a running one stops before its traffic switch and undoes its work.',
      request: { params: DeploymentParam },
      responses: { 202: json(z.object({ deploymentId: z.string(), status: z.string() }), 'Cancelling'), ...errorResponses },
    }),
    async (c) => {
      const d = await getDeployment(db, c.req.valid('param').id);
      if (!d) throw notFound('deployment');
      if (isFinalStatus(d.status)) throw conflict(`deployment already ${d.status}`);
      const outcome = await cancelInLane(temporal, d.environmentId, d.id);
      if (outcome.status === 'not-found') throw conflict('deployment is no longer queued or running');
      return c.json({ deploymentId: d.id, status: outcome.status }, 202);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/deployments/{id}/logs',
      access: { need: 'read', on: 'param.deployment' },
      tags: ['deployments'],
      request: { params: DeploymentParam, query: z.object({ after: z.coerce.number().int().min(0).default(0) }) },
      responses: { 200: json(z.object({ items: z.array(LogLine) }), 'Log lines in order'), ...errorResponses },
    }),
    async (c) => {
      const d = await getDeployment(db, c.req.valid('param').id);
      if (!d) throw notFound('deployment');
      const rows = await logsAfter(db, d.id, c.req.valid('query').after);
      return c.json({ items: rows.map((l) => ({ id: l.id, at: l.at.toISOString(), level: l.level, phase: l.phase, message: l.message })) }, 200);
    },
  );

  app.route('/', deploymentEvents(deps));

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/apps/{app}/environments/{env}/lane',
      access: { need: 'read', on: 'param.app' },
      tags: ['deployments'],
      summary: "The environment's deploy lane: what runs and what waits",
      request: { params: EnvParam },
      responses: {
        200: json(z.object({ current: z.string().nullable(), queued: z.array(z.string()), completed: z.number() }), 'Lane state'),
        ...errorResponses, ...unansweredResponse,
      },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const lane = await readLane(temporal, env.id);
      return c.json({ current: lane.current?.deploymentId ?? null, queued: lane.queued.map((q) => q.deploymentId), completed: lane.completed }, 200);
    },
  );

  return app;
}
