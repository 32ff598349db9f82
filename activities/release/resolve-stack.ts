// The resolve phase of a stack deployment, on the host: compile the app's compose file with the
// environment's override and variables, pin every service's image, record the release (once
// per deployment), make sure Swarm mode is on and the release's networks, secrets and configs
// exist. A git-backed stack's compose file is read from the deployment's checkout, its built
// services run the images the build phase tagged. A rollback loads the release it goes back to
// and prepares the same way. The workflow learns the plan (order, conditions, exposure) and
// never a variable or secret.
import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import { eq } from 'drizzle-orm';
import { insertNextRelease } from '../../db/queries/releases.js';
import type { Db } from '../../db/client.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { getAppCompose, getStackOverride, getStackRelease } from '../../db/queries/stacks.js';
import { sealReleaseVariables } from '../../db/queries/release-variables.js';
import { resolveVariableSets, type VariableSets, type VariableSite } from '../../db/queries/variables.js';
import { deployments, environments, releases, stackReleases } from '../../db/schema/index.js';
import { ComposeInvalid } from '../../src/compose/compose-issues.js';
import { compileStack } from '../../src/compose/compile-stack.js';
import { DEFAULT_HEALTH_CHECK } from '../../src/domain/app-spec.js';
import type { PhaseReport } from '../../src/domain/phases.js';
import { stackNamespace, type StackPlan, type StackSpec } from '../../src/domain/stack.js';
import { permanentFailure } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { createImageActivities } from '../docker/images.js';
import { compileCheckoutCompose } from '../build/checkout-compose.js';
import { workspaceDir } from '../build/workspace.js';
import { recordReport } from '../store/deployments.js';
import { ensureSwarm } from '../swarm/ensure-swarm.js';
import { assertPinnedHostsJoined, labelHostNode } from '../swarm/node-hosts.js';
import type { SwarmInit } from '../../src/config-shape.js';
import { withHeartbeat } from '../heartbeat.js';
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
  /** A git-backed stack: the commit checked out, where its compose file is, and what the build phase built. */
  checkout?: { sha: string; composePath: string; images: Record<string, string> } | undefined;
}

export interface ResolvedStack {
  release: { id: string; number: number };
  plan: StackPlan;
  /** The release live before this deployment: what a failed rollout goes back to. */
  liveReleaseId: string | null;
  /** The deployment that made it live: the one a post-switch watch's rollback makes live again (absent in older histories). */
  liveDeploymentId?: string | null;
}

interface Deps {
  db: Db;
  box: SecretBox;
  /** hostId: the host this worker runs on, the stack's own. */
  site: VariableSite & { hostId: string };
  docker: Docker;
  log: Logger;
  instance: string;
  images: ReturnType<typeof createImageActivities>;
  objects: StackObjects;
  allowedBindPaths: string[];
  allowed: string[];
  /** Where a Swarm Berth makes listens (BERTH_SWARM_*). */
  swarmInit?: SwarmInit;
  workspacesDir: string;
}

export function createResolveStack({ db, box, site, docker, log, instance, images, objects, allowedBindPaths, allowed, swarmInit, workspacesDir }: Deps) {
  async function compileUploaded(input: ResolveStackInput): Promise<{ stack: StackSpec; plan: StackPlan; variables: Record<string, string>; sets: VariableSets }> {
    const compose = await getAppCompose(db, input.appId);
    if (!compose) throw permanentFailure('ValidationFailed', 'the app has no compose file');
    const sets = await resolveVariableSets(db, input.environmentId, box, { deploymentId: input.deploymentId, site });
    const variables = { ...sets.plain, ...sets.secret };
    try {
      return { ...compileStack({ compose, override: await getStackOverride(db, input.environmentId), variables, allowedBindPaths, allowed }), variables, sets };
    } catch (err) {
      if (err instanceof ComposeInvalid) throw permanentFailure('ValidationFailed', `compose file: ${err.message}`);
      throw err;
    }
  }

  async function compileCheckout(input: ResolveStackInput, checkout: NonNullable<ResolveStackInput['checkout']>) {
    const dir = workspaceDir(workspacesDir, input.deploymentId);
    const { compiled, variables, sets } = await compileCheckoutCompose(db, box, { dir, composePath: checkout.composePath, environmentId: input.environmentId, deploymentId: input.deploymentId, site, allowedBindPaths, allowed });
    for (const service of Object.values(compiled.stack.services)) {
      if (!service.build) continue;
      const image = checkout.images[service.name];
      if (!image) throw permanentFailure('BuildFailed', `service ${service.name} has build: but the build phase built no image for it`);
      service.image = image;
    }
    return { stack: compiled.stack, plan: compiled.plan, variables, sets };
  }

  async function createStackRelease(input: ResolveStackInput & { releaseId: string }): Promise<string> {
    const [existing] = await db.select({ id: releases.id }).from(releases).where(eq(releases.createdByDeploymentId, input.deploymentId));
    if (existing) return existing.id;
    const { stack, plan, variables, sets } = input.checkout ? await compileCheckout(input, input.checkout) : await compileUploaded(input);
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
      await insertNextRelease(tx, {
        id: input.releaseId,
        appId: input.appId,
        environmentId: input.environmentId,
        // A git-backed stack's release names its commit.
        imageRef: input.checkout ? `stack@${input.checkout.sha}` : 'stack',
        // One digest for the whole stack: equal when every service is as before.
        imagePinned: `stack@sha256:${digest}`,
        imageId: '',
        // Stack releases keep their settings per service in stack_releases.
        config: { port: 0, command: null, args: null, healthCheck: DEFAULT_HEALTH_CHECK, resources: {}, replicas: 0 },
        ...sealReleaseVariables(box, input.releaseId, sets),
        createdByDeploymentId: input.deploymentId,
      });
      await tx.insert(stackReleases).values({ releaseId: input.releaseId, stack, plan, specHashes, imageRefs });
    });
    return input.releaseId;
  }

  return async function resolveStack(input: ResolveStackInput): Promise<ResolvedStack> {
    await recordReport(db, input.report);
    const [env] = await db.select({ live: environments.liveReleaseId, liveDeployment: environments.liveDeploymentId }).from(environments).where(eq(environments.id, input.environmentId));
    const releaseId = input.rollbackTo ?? (await createStackRelease({ ...input, releaseId: input.releaseId as string }));
    const release = await getStackRelease(db, box, releaseId);
    if (!release || release.environmentId !== input.environmentId) {
      throw permanentFailure('ReleaseNotFound', `release ${releaseId} is not a stack release of this environment`);
    }
    await db.update(deployments).set({ releaseId }).where(eq(deployments.id, input.deploymentId));
    // Heartbeating: just after an engine restart, telling whether it is in a Swarm takes seconds.
    const swarm = await withHeartbeat(() => ensureSwarm(docker, log, swarmInit));
    await labelHostNode(docker, swarm.nodeId, site.hostId);
    await assertPinnedHostsJoined(docker, release.stack, site.hostId);
    const owner = { instance, appId: input.appId, environmentId: input.environmentId, namespace: stackNamespace(input.environmentId) };
    await objects.prepareObjects(owner, release.stack, stackContents(release.stack, release.variables));
    return { release: { id: releaseId, number: release.number }, plan: release.plan, liveReleaseId: env?.live ?? null, liveDeploymentId: env?.liveDeployment ?? null };
  };
}
