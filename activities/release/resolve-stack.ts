// The resolve phase of a stack deployment, on the host: compile the app's compose file with the
// environment's override and variables, pin every service's image, record the release (once
// per deployment), make sure Swarm mode is on and the release's networks, secrets and configs
// exist. A rollback loads the release it goes back to and prepares the same way. The workflow
// learns the plan (order, conditions, exposure) and never a variable or secret.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { eq, max } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { getAppCompose, getStackOverride, getStackRelease } from '../../db/queries/stacks.js';
import { resolveVariables } from '../../db/queries/variables.js';
import { deployments, environments, releases, stackReleases } from '../../db/schema/index.js';
import { ComposeInvalid } from '../../src/compose/compose-issues.js';
import { compileStack } from '../../src/compose/compile-stack.js';
import { DEFAULT_HEALTH_CHECK } from '../../src/domain/app-spec.js';
import type { PhaseReport } from '../../src/domain/phases.js';
import { stackNamespace, type StackPlan, type StackSpec } from '../../src/domain/stack.js';
import { permanentFailure } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { createImageActivities } from '../docker/images.js';
import { recordReport } from '../store/deployments.js';
import { ensureSwarm } from '../swarm/ensure-swarm.js';
import { serviceIdentity } from '../swarm/service-spec.js';
import { stackContents, stackObjectNames, type StackObjects } from '../swarm/stack-objects.js';

export interface ResolveStackInput {
  report: PhaseReport;
  deploymentId: string;
  appId: string;
  environmentId: string;
  /** kind deploy: the id the new release gets. */
  releaseId?: string | undefined;
  /** kind rollback: the release to run again. */
  rollbackTo?: string | undefined;
}

export interface ResolvedStack {
  release: { id: string; number: number };
  plan: StackPlan;
  /** The release live before this deployment: what a failed rollout goes back to. */
  liveReleaseId: string | null;
}

interface Deps {
  db: Db;
  docker: Docker;
  log: Logger;
  instance: string;
  images: ReturnType<typeof createImageActivities>;
  objects: StackObjects;
  allowedBindPaths: string[];
}

export function createResolveStack({ db, docker, log, instance, images, objects, allowedBindPaths }: Deps) {
  async function createStackRelease(input: ResolveStackInput & { releaseId: string }): Promise<string> {
    const [existing] = await db.select({ id: releases.id }).from(releases).where(eq(releases.createdByDeploymentId, input.deploymentId));
    if (existing) return existing.id;
    const compose = await getAppCompose(db, input.appId);
    if (!compose) throw permanentFailure('ValidationFailed', 'the app has no compose file');
    const variables = await resolveVariables(db, input.environmentId);
    let stack: StackSpec;
    let plan: StackPlan;
    try {
      ({ stack, plan } = compileStack({ compose, override: await getStackOverride(db, input.environmentId), variables, allowedBindPaths }));
    } catch (err) {
      if (err instanceof ComposeInvalid) throw permanentFailure('ValidationFailed', `compose file: ${err.message}`);
      throw err;
    }
    const imageRefs: Record<string, string> = {};
    await Promise.all(
      Object.values(stack.services).map(async (service) => {
        const image = await images.resolveImage({ deploymentId: input.deploymentId, image: service.image });
        imageRefs[service.name] = service.image;
        service.image = image.imagePinned;
      }),
    );
    const namespace = stackNamespace(input.environmentId);
    const names = stackObjectNames(namespace, stackContents(stack, variables));
    const specHashes = Object.fromEntries(Object.values(stack.services).map((s) => [s.name, serviceIdentity(namespace, s, s.image, names).specHash]));
    const digest = createHash('sha256').update(JSON.stringify(specHashes)).digest('hex');
    await db.transaction(async (tx) => {
      const [{ n } = { n: 0 }] = await tx.select({ n: max(releases.number) }).from(releases).where(eq(releases.environmentId, input.environmentId));
      await tx.insert(releases).values({
        id: input.releaseId,
        appId: input.appId,
        environmentId: input.environmentId,
        number: (n ?? 0) + 1,
        imageRef: 'stack',
        // One digest for the whole stack: equal when every service is as before.
        imagePinned: `stack@sha256:${digest}`,
        imageId: '',
        // Stack releases keep their settings per service in stack_releases.
        config: { port: 0, command: null, args: null, healthCheck: DEFAULT_HEALTH_CHECK, resources: {}, replicas: 0 },
        variables,
        createdByDeploymentId: input.deploymentId,
      });
      await tx.insert(stackReleases).values({ releaseId: input.releaseId, stack, plan, specHashes, imageRefs });
    });
    return input.releaseId;
  }

  return async function resolveStack(input: ResolveStackInput): Promise<ResolvedStack> {
    await recordReport(db, input.report);
    const [env] = await db.select({ live: environments.liveReleaseId }).from(environments).where(eq(environments.id, input.environmentId));
    const releaseId = input.rollbackTo ?? (await createStackRelease({ ...input, releaseId: input.releaseId as string }));
    const release = await getStackRelease(db, releaseId);
    if (!release || release.environmentId !== input.environmentId) {
      throw permanentFailure('ReleaseNotFound', `release ${releaseId} is not a stack release of this environment`);
    }
    await db.update(deployments).set({ releaseId }).where(eq(deployments.id, input.deploymentId));
    await ensureSwarm(docker, log);
    const owner = { instance, appId: input.appId, environmentId: input.environmentId, namespace: stackNamespace(input.environmentId) };
    await objects.prepareObjects(owner, release.stack, stackContents(release.stack, release.variables));
    return { release: { id: releaseId, number: release.number }, plan: release.plan, liveReleaseId: env?.live ?? null };
  };
}
