// Keeps installations and their repositories in step with GitHub: on installation events and
// on a Temporal Schedule. Upserts what GitHub lists, marks what it no longer lists as removed.
import { and, eq, inArray, isNull, not, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { githubInstallations, githubRepositories } from '../../db/schema/index.js';
import { permanentFailure } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { withHeartbeat } from '../heartbeat.js';
import { githubStatus, type GitHubClient } from './github-client.js';

import type { SyncResult } from '../../src/domain/repository-sync.js';

export type { SyncResult };

interface InstallationJson {
  id: number;
  account: { login?: string; name?: string; type?: string } | null;
  target_type?: string;
  repository_selection: string;
  suspended_at?: string | null;
}

interface RepositoryJson {
  id: number;
  full_name: string;
  private: boolean;
  default_branch?: string;
  clone_url: string;
  html_url: string;
}

const PER_PAGE = 100;
const MAX_PAGES = 100;

export function createRepositorySync({ db, github, log }: { db: Db; github: GitHubClient; log: Logger }) {
  async function markRemoved(installationId: number): Promise<number> {
    await db.update(githubInstallations).set({ removedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(githubInstallations.id, installationId));
    const gone = await db
      .update(githubRepositories)
      .set({ removedAt: sql`now()` })
      .where(and(eq(githubRepositories.installationId, installationId), isNull(githubRepositories.removedAt)))
      .returning({ id: githubRepositories.id });
    return gone.length;
  }

  async function upsertInstallation(i: InstallationJson): Promise<void> {
    const values = {
      account: i.account?.login ?? i.account?.name ?? 'unknown',
      accountType: i.account?.type ?? i.target_type ?? 'unknown',
      repositorySelection: i.repository_selection,
      suspendedAt: i.suspended_at ? new Date(i.suspended_at) : null,
      removedAt: null,
      syncedAt: new Date(),
      updatedAt: new Date(),
    };
    await db.insert(githubInstallations).values({ id: i.id, ...values }).onConflictDoUpdate({ target: githubInstallations.id, set: values });
  }

  async function syncInstallationRepositories(installationId: number): Promise<{ repositories: number; removed: number }> {
    const octokit = await github.installation(installationId);
    const seen: number[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const res = await octokit.request('GET /installation/repositories', { per_page: PER_PAGE, page });
      const repos = res.data.repositories as RepositoryJson[];
      for (const r of repos) {
        const values = {
          installationId,
          fullName: r.full_name,
          private: r.private,
          defaultBranch: r.default_branch ?? 'main',
          cloneUrl: r.clone_url,
          htmlUrl: r.html_url,
          removedAt: null,
          syncedAt: new Date(),
        };
        await db.insert(githubRepositories).values({ id: r.id, ...values }).onConflictDoUpdate({ target: githubRepositories.id, set: values });
        seen.push(r.id);
      }
      if (repos.length < PER_PAGE) break;
    }
    const gone = await db
      .update(githubRepositories)
      .set({ removedAt: sql`now()` })
      .where(
        and(
          eq(githubRepositories.installationId, installationId),
          isNull(githubRepositories.removedAt),
          seen.length ? not(inArray(githubRepositories.id, seen)) : undefined,
        ),
      )
      .returning({ id: githubRepositories.id });
    return { repositories: seen.length, removed: gone.length };
  }

  return {
    /**
     * Syncs one installation (null: every installation the app has). `uninstalled` marks it
     * removed without asking GitHub, which no longer lets the app in.
     */
    async syncRepositories(input: { installationId: number | null; uninstalled?: boolean }): Promise<SyncResult> {
      const result: SyncResult = { installations: 0, repositories: 0, removed: 0, skipped: null };
      if (input.uninstalled && input.installationId !== null) {
        result.removed = await markRemoved(input.installationId);
        return result;
      }
      const app = await github.app();
      if (!app) return { ...result, skipped: 'Berth has no GitHub App' };
      return withHeartbeat(async () => {
        const installations: InstallationJson[] = [];
        if (input.installationId !== null) {
          try {
            const res = await app.octokit.request('GET /app/installations/{installation_id}', { installation_id: input.installationId });
            installations.push(res.data as InstallationJson);
          } catch (err) {
            if (githubStatus(err) !== 404) throw err;
            result.removed += await markRemoved(input.installationId);
            return result;
          }
        } else {
          for (let page = 1; page <= MAX_PAGES; page++) {
            const res = await app.octokit.request('GET /app/installations', { per_page: PER_PAGE, page });
            installations.push(...(res.data as InstallationJson[]));
            if (res.data.length < PER_PAGE) break;
          }
        }
        for (const i of installations) {
          await upsertInstallation(i);
          result.installations++;
          if (i.suspended_at) continue; // a suspended installation cannot mint tokens
          try {
            const synced = await syncInstallationRepositories(i.id);
            result.repositories += synced.repositories;
            result.removed += synced.removed;
          } catch (err) {
            const status = githubStatus(err);
            if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
              throw permanentFailure('Unavailable', `GitHub refused the repositories of installation ${i.id} (HTTP ${status})`);
            }
            throw err;
          }
        }
        log.debug({ ...result }, 'repositories synced');
        return result;
      });
    },
  };
}
