// Where a deployment of an app of kind git builds, and whether its image goes through the
// registry: asked once by the deploy workflow, so the answer is in its history and a replay or a
// resume builds on the same host.
import type { Db } from '../../db/client.js';
import { getGitSource } from '../../db/queries/git-sources.js';
import { buildRepository, type BuildPlan } from '../../src/domain/build-registry.js';

export function createBuildPlan({ db, registry, instance }: { db: Db; registry: string | null; instance: string }) {
  return {
    /**
     * Without a registry the image stays where it is built, so it builds where it runs (the app's
     * build host is then not used: the API refuses to set one without a registry).
     */
    async planBuild(input: { appId: string; appName: string; placedHostId: string }): Promise<BuildPlan> {
      if (!registry) return { hostId: input.placedHostId, repository: null };
      const source = await getGitSource(db, input.appId);
      return { hostId: source?.buildHostId ?? input.placedHostId, repository: buildRepository(registry, instance, input.appName) };
    },
  };
}
