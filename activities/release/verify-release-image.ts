// Part of a verified "done": what runs is the release. Every running container of the release
// was made from the release's image (the image id, the digest of its configuration, pinned when
// the release was resolved); a tag moved under the release, or a container swapped beside
// Berth, shows here as a different id. It also says where they answer now (their published
// port): an engine that restarted after the switch was confirmed starts them again on ports of
// its choosing, and the deploy switches again rather than commit a route to nothing.
import type Docker from 'dockerode';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { releases } from '../../db/schema/index.js';
import { LABEL, labelFilter } from '../../src/domain/labels.js';
import { permanentFailure } from '../../src/errors.js';

export function createVerifyReleaseImage(deps: { db: Db; docker: Docker; instance: string; publishIp: string }) {
  /** `port`: the app's port, whose published address is returned (older callers gave none). */
  return async function verifyReleaseImage(input: { releaseId: string; servers: number; port?: number }): Promise<{ imageId: string; containers: number; servers?: string[] }> {
    const [release] = await deps.db.select({ imageId: releases.imageId }).from(releases).where(eq(releases.id, input.releaseId));
    if (!release) throw permanentFailure('ReleaseNotFound', `release ${input.releaseId} is not recorded`);
    const running = await deps.docker.listContainers({ filters: { label: labelFilter(deps.instance, { [LABEL.release]: input.releaseId }), status: ['running'] } });
    const strangers = running.filter((c) => c.ImageID !== release.imageId);
    if (strangers.length > 0) {
      const found = [...new Set(strangers.map((c) => c.ImageID.slice(0, 19)))].join(', ');
      throw permanentFailure('ReleaseMismatch', `${strangers.length} container(s) of ${input.releaseId} run image ${found}, not the release's ${release.imageId.slice(0, 19)}`);
    }
    if (running.length < input.servers) {
      throw permanentFailure('ReleaseMismatch', `${running.length} container(s) of ${input.releaseId} run, the route has ${input.servers} server(s)`);
    }
    if (input.port === undefined) return { imageId: release.imageId, containers: running.length };
    const servers = running.map((c) => {
      const bound = c.Ports.find((p) => p.PrivatePort === input.port && p.Type === 'tcp' && p.PublicPort);
      return bound ? `http://${bound.IP && bound.IP !== '0.0.0.0' ? bound.IP : deps.publishIp}:${bound.PublicPort}` : '';
    });
    return { imageId: release.imageId, containers: running.length, servers };
  };
}
