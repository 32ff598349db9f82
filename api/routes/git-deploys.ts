// What a deploy of an app of kind git asked through the API builds: the app's source at the
// given commit or ref. GitHub repositories the app installation reaches report back to GitHub.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { getGitSource } from '../../db/queries/git-sources.js';
import { githubRepositories } from '../../db/schema/index.js';
import type { Config } from '../../src/config.js';
import type { GitSource } from '../../src/domain/deployment.js';
import { invalid } from '../errors.js';

export async function gitSourceFor(db: Db, config: Config, appId: string, input: { ref?: string | undefined; sha?: string | undefined }, env: { name: string; hosts: string[] }): Promise<GitSource> {
  const source = await getGitSource(db, appId);
  if (!source) throw invalid('the app has no git settings');
  let installationId = source.installationId;
  if (source.repository && installationId === null) {
    const [repo] = await db
      .select({ installationId: githubRepositories.installationId })
      .from(githubRepositories)
      .where(sql`lower(${githubRepositories.fullName}) = lower(${source.repository}) and ${githubRepositories.removedAt} is null`);
    installationId = repo?.installationId ?? null;
  }
  const reports = source.repository !== null && installationId !== null;
  return {
    repository: source.repository,
    url: source.url,
    ref: input.ref ?? null,
    sha: input.sha ?? null,
    installationId,
    pullRequest: null,
    feedback: reports
      ? {
          environmentUrl: `http://${env.hosts[0]}:${config.traefik.port}`,
          publicUrl: config.api.publicUrl,
          production: /^prod/.test(env.name),
          transient: false,
        }
      : null,
  };
}
