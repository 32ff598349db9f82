// A stack release's Swarm services as Berth makes and finds them, shared by the rollout
// (stack-services.ts) and reconcile (heal-stack.ts): list a stack's services, find one by name
// (refusing one that is not Berth's), make one exist as a release has it, remove one.
import type Docker from 'dockerode';
import type { StackReleaseRow } from '../../db/queries/stacks.js';
import { LABEL, labelFilter, type StackOwner } from '../../src/domain/labels.js';
import type { StackService } from '../../src/domain/stack.js';
import { permanentFailure } from '../../src/errors.js';
import { isConflict, isNotFound } from '../docker/docker-errors.js';
import { nodeHost } from './node-hosts.js';
import { buildServiceSpec, serviceIdentity, type ServiceIdentity } from './service-spec.js';
import { stackContents, stackObjectNames, type StackObjects } from './stack-objects.js';

export interface SwarmService {
  ID: string;
  Version?: { Index?: number };
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    TaskTemplate?: { ContainerSpec?: { Image?: string } };
    Mode?: { Replicated?: { Replicas?: number } };
  };
}

export interface ServiceTarget {
  owner: StackOwner;
  releaseId: string;
  deploymentId: string;
  service: string;
}

export type ServiceChange = 'created' | 'updated' | 'unchanged';

export function createSwarmServices(docker: Docker, instance: string, objects: StackObjects) {
  async function list(namespace: string, extra: Record<string, string> = {}): Promise<SwarmService[]> {
    return (await docker.listServices({ filters: { label: labelFilter(instance, { [LABEL.stack]: namespace, ...extra }) } })) as SwarmService[];
  }

  async function findByName(name: string): Promise<SwarmService | null> {
    try {
      const found = (await docker.getService(name).inspect()) as SwarmService;
      const labels = found.Spec?.Labels ?? {};
      if (labels[LABEL.managedBy] !== 'berth' || labels[LABEL.instance] !== instance) {
        throw permanentFailure('Conflict', `a Swarm service named ${name} exists and is not this Berth's`);
      }
      return found;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /**
   * Makes the release's service exist in Swarm as the release has it; returns what it did. A
   * service of the right spec hash whose image or replicas were changed behind Berth's back
   * (`docker service update`, `docker service scale`) is put back too.
   */
  async function apply(target: ServiceTarget, release: StackReleaseRow): Promise<{ identity: ServiceIdentity; service: StackService; change: ServiceChange }> {
    const o = target.owner;
    const service = release.stack.services[target.service];
    if (!service) throw permanentFailure('ValidationFailed', `release ${release.number} has no service ${target.service}`);
    const contents = stackContents(release.stack, release.variables);
    const identity = serviceIdentity(o.namespace, service, service.image, stackObjectNames(o.namespace, contents));
    const existing = await findByName(identity.name);
    const asReleased =
      existing?.Spec?.Labels?.[LABEL.specHash] === identity.specHash &&
      existing.Spec.TaskTemplate?.ContainerSpec?.Image === service.image &&
      (existing.Spec.Mode?.Replicated?.Replicas ?? service.replicas) === service.replicas;
    if (existing && asReleased) return { identity, service, change: 'unchanged' };
    // Networks are named in the spec; only secrets and configs need their ids looked up. The
    // resolve step made them all; a missing one (pruned meanwhile) is made again.
    const uses = service.secrets.length + service.configs.length > 0;
    const noIds = { networks: {}, secrets: {}, configs: {} };
    const build = (ids: typeof noIds) =>
      buildServiceSpec({ owner: o, stack: release.stack, service, image: service.image, identity, releaseId: target.releaseId, deploymentId: target.deploymentId, localNodeId, localHostId, ids });
    const localNodeId = ((await docker.info()) as { Swarm?: { NodeID?: string } }).Swarm?.NodeID ?? '';
    // Only an exposed service pinned to a host needs to know which host this node is.
    const localHostId = service.expose && service.placement?.length ? await nodeHost(docker, localNodeId) : '';
    let spec = build(uses ? await objects.prepareObjects(o, release.stack, contents) : noIds);
    if (!existing) {
      try {
        await docker.createService(spec);
        return { identity, service, change: 'created' };
      } catch (err) {
        if ((isNotFound(err) || /not found/i.test((err as Error).message)) && !uses) {
          spec = build(await objects.prepareObjects(o, release.stack, contents));
          await docker.createService(spec);
          return { identity, service, change: 'created' };
        }
        if (!isConflict(err)) throw err;
        return apply(target, release); // a concurrent attempt created it: compare again
      }
    }
    await docker.getService(existing.ID).update({ _query: { version: existing.Version?.Index }, _body: spec });
    return { identity, service, change: 'updated' };
  }

  /** The Swarm names of the release's services. */
  function namesOf(namespace: string, release: StackReleaseRow): Set<string> {
    const names = stackObjectNames(namespace, stackContents(release.stack, release.variables));
    return new Set(Object.values(release.stack.services).map((s) => serviceIdentity(namespace, s, s.image, names).name));
  }

  async function remove(s: SwarmService): Promise<void> {
    try {
      await docker.getService(s.ID).remove();
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  return { list, findByName, apply, namesOf, remove };
}

export type SwarmServices = ReturnType<typeof createSwarmServices>;
