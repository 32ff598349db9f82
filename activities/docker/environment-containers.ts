// Removing an environment from a host: every container Berth made for it (by label), whatever
// release or deployment made it. Used when a preview is torn down.
import type Docker from 'dockerode';
import { LABEL, labelFilter } from '../../src/domain/labels.js';
import { withHeartbeat } from '../heartbeat.js';
import { tolerate } from './docker-errors.js';

export function createEnvironmentContainerActivities({ docker, instance }: { docker: Docker; instance: string }) {
  return {
    async removeEnvironmentContainers(input: { environmentId: string }): Promise<number> {
      const found = await docker.listContainers({ all: true, filters: { label: labelFilter(instance, { [LABEL.environment]: input.environmentId }) } });
      await withHeartbeat(() => Promise.all(found.map((c) => tolerate(() => docker.getContainer(c.Id).remove({ force: true, v: true }), { gone: true }))));
      return found.length;
    },
  };
}
