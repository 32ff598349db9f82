// The Swarm objects a stack's services use: overlay networks, secrets and configs, each named
// in the stack namespace, labelled as Berth's, and made get-or-create (a retry finds its own).
import type Docker from 'dockerode';
import { labelFilter, LABEL, stackLabels, type StackOwner } from '../../src/domain/labels.js';
import { stackObjectName, type StackSpec } from '../../src/domain/stack.js';
import { permanentFailure } from '../../src/errors.js';
import { isConflict, isNotFound } from '../docker/docker-errors.js';
import { contentObjectName, type StackObjectNames } from './service-spec.js';

export type ContentKind = 'secrets' | 'configs';

export interface StackObjectIds {
  networks: Record<string, string>;
  secrets: Record<string, { id: string; name: string }>;
  configs: Record<string, { id: string; name: string }>;
}

/** The content of each secret and config of a stack, from the release's variables. */
export function stackContents(stack: StackSpec, variables: Record<string, string>): Record<ContentKind, Record<string, string>> {
  const read = (kind: ContentKind) =>
    Object.fromEntries(Object.entries(stack[kind]).map(([name, src]) => [name, src.variable !== null ? (variables[src.variable] ?? '') : (src.content ?? '')]));
  return { secrets: read('secrets'), configs: read('configs') };
}

export function stackObjectNames(namespace: string, contents: Record<ContentKind, Record<string, string>>): StackObjectNames {
  const names = (kind: ContentKind) => Object.fromEntries(Object.entries(contents[kind]).map(([n, c]) => [n, contentObjectName(namespace, n, c)]));
  return { secrets: names('secrets'), configs: names('configs') };
}

export function createStackObjects(docker: Docker, instance: string) {
  const mine = (labels: Record<string, string> | undefined) => labels?.[LABEL.managedBy] === 'berth' && labels?.[LABEL.instance] === instance;

  async function ensureNetwork(owner: StackOwner, name: string, internal: boolean, labels: Record<string, string>): Promise<string> {
    const found = (await docker.listNetworks({ filters: { name: [name] } })).filter((n) => n.Name === name);
    const existing = found[0];
    if (existing) {
      if (!mine(existing.Labels)) throw permanentFailure('Conflict', `a network named ${name} exists and is not Berth's`);
      return existing.Id;
    }
    const created = await docker.createNetwork({
      Name: name,
      Driver: 'overlay',
      Internal: internal,
      Attachable: false,
      CheckDuplicate: true,
      Labels: { ...labels, ...stackLabels(owner) },
    });
    return created.id;
  }

  async function ensureContent(owner: StackOwner, kind: ContentKind, name: string, content: string): Promise<string> {
    const list = kind === 'secrets' ? () => docker.listSecrets({ filters: { name: [name] } }) : () => docker.listConfigs({ filters: { name: [name] } });
    const find = async () => (await list()).find((o) => o.Spec?.Name === name);
    const existing = await find();
    if (existing) {
      if (!mine(existing.Spec?.Labels)) throw permanentFailure('Conflict', `a ${kind === 'secrets' ? 'secret' : 'config'} named ${name} exists and is not Berth's`);
      return existing.ID;
    }
    const spec = { Name: name, Labels: stackLabels(owner), Data: Buffer.from(content).toString('base64') };
    try {
      const created = kind === 'secrets' ? await docker.createSecret(spec) : await docker.createConfig(spec);
      return (created as { id: string }).id;
    } catch (err) {
      if (isConflict(err)) return (await find())?.ID ?? '';
      throw err;
    }
  }

  return {
    /** Creates whatever of the stack's networks, secrets and configs is missing; returns their ids. */
    async prepareObjects(owner: StackOwner, stack: StackSpec, contents: Record<ContentKind, Record<string, string>>): Promise<StackObjectIds> {
      const names = stackObjectNames(owner.namespace, contents);
      const ids: StackObjectIds = { networks: {}, secrets: {}, configs: {} };
      for (const [net, spec] of Object.entries(stack.networks)) {
        ids.networks[net] = await ensureNetwork(owner, stackObjectName(owner.namespace, net), spec.internal, spec.labels);
      }
      for (const kind of ['secrets', 'configs'] as const) {
        for (const [key, content] of Object.entries(contents[kind])) {
          const name = names[kind][key] as string;
          ids[kind][key] = { id: await ensureContent(owner, kind, name, content), name };
        }
      }
      return ids;
    },

    /**
     * Removes the stack's networks, secrets, configs (and with `volumes`, volumes) whose names
     * are not in `keep`; one still in use is left for the next prune.
     */
    async removeObjects(namespace: string, keep: Set<string>, options: { volumes: boolean }): Promise<{ removed: string[]; busy: string[] }> {
      const filters = { label: labelFilter(instance, { [LABEL.stack]: namespace }) };
      const removed: string[] = [];
      const busy: string[] = [];
      const attempt = async (name: string, remove: () => Promise<unknown>) => {
        if (keep.has(name)) return;
        try {
          await remove();
          removed.push(name);
        } catch (err) {
          if (isNotFound(err)) return;
          busy.push(name);
        }
      };
      for (const n of await docker.listNetworks({ filters })) await attempt(n.Name, () => docker.getNetwork(n.Id).remove());
      for (const s of await docker.listSecrets({ filters })) await attempt(s.Spec?.Name ?? s.ID, () => docker.getSecret(s.ID).remove());
      for (const c of await docker.listConfigs({ filters })) await attempt(c.Spec?.Name ?? c.ID, () => docker.getConfig(c.ID).remove());
      if (options.volumes) {
        const { Volumes } = await docker.listVolumes({ filters });
        for (const v of Volumes ?? []) await attempt(v.Name, () => docker.getVolume(v.Name).remove());
      }
      return { removed, busy };
    },
  };
}

export type StackObjects = ReturnType<typeof createStackObjects>;
