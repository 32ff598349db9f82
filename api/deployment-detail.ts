// What GET /deployments/{id} adds to a deployment for people: its app's and environment's names,
// the release it made, the release live now (the honest end state: a succeeded deployment
// whose release is no longer live says so), and the commit it built when GitHub knows it.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { getEnvironmentById } from '../db/queries/environments.js';
import { getRelease, type ReleaseRow } from '../db/queries/releases.js';
import { apps, githubDeployments } from '../db/schema/index.js';

const brief = (r: ReleaseRow | undefined) => (r ? { id: r.id, number: r.number, imageRef: r.imageRef, imagePinned: r.imagePinned } : null);

export async function deploymentDetail(db: Db, d: { id: string; appId: string; environmentId: string; releaseId: string | null }) {
  const [app] = await db.select({ name: apps.name }).from(apps).where(eq(apps.id, d.appId));
  const env = await getEnvironmentById(db, d.environmentId);
  const [reported] = await db.select().from(githubDeployments).where(eq(githubDeployments.deploymentId, d.id));
  return {
    app: app?.name ?? '',
    environment: env?.name ?? '',
    release: brief(d.releaseId ? await getRelease(db, d.releaseId) : undefined),
    liveNow: brief(env?.liveReleaseId ? await getRelease(db, env.liveReleaseId) : undefined),
    commit: reported ? { repository: reported.repository, sha: reported.sha, url: `https://github.com/${reported.repository}/commit/${reported.sha}` } : null,
  };
}
