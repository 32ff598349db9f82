// The first half of the build phase: the exact commit, fetched (depth 1) into the deployment's
// workspace. GitHub repositories are reached with an installation token passed as an HTTP
// header through git's environment (never in the URL, the command line or a log line); any
// other git URL, file:// included, is fetched as it is.
import { mkdir } from 'node:fs/promises';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { getGitSource } from '../../db/queries/git-sources.js';
import { deployments, githubRepositories } from '../../db/schema/index.js';
import type { GitSource } from '../../src/domain/deployment.js';
import { SHA_PATTERN } from '../../src/domain/git-build.js';
import { fetchArgs, gitRefProblem, gitUrlProblem } from '../../src/domain/git-input.js';
import type { GiteaApi } from '../git-hosts/gitea/gitea-api.js';
import type { PhaseReport } from '../../src/domain/phases.js';
import { permanentFailure } from '../../src/errors.js';
import type { GitHubClient } from '../github/github-client.js';
import { withHeartbeat } from '../heartbeat.js';
import type { DeploymentLog } from '../store/deployment-log.js';
import { recordReport } from '../store/deployments.js';
import { CommandAborted, runCommand } from './run-command.js';
import { removeWorkspace, workspaceDir } from './workspace.js';
import { NO_DISK_GUARD, type DiskGuard } from '../docker/disk-guard.js';

export const FETCH_TIMEOUT_MS = 10 * 60_000;
/** Transports git may use: no ext:: or fd:: helpers, whatever a URL says. */
const ALLOWED_PROTOCOLS = 'file:https:http:ssh:git';

export interface FetchDeps {
  db: Db;
  github: GitHubClient;
  deploymentLog: DeploymentLog;
  workspacesDir: string;
  githubWebUrl: string;
  /** Gitea, Forgejo and GitLab connections: clone URLs and tokens of their repositories. */
  gitHosts?: GiteaApi;
  /** A build does not start on a Docker root short of free space. */
  disk?: DiskGuard;
}

export interface FetchInput {
  report: PhaseReport;
  deploymentId: string;
  appId: string;
  source: GitSource;
}

/** A URL as it may be shown: without any user:password part. */
export function displayUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}

export function createFetchSource({ db, github, gitHosts, deploymentLog, workspacesDir, githubWebUrl, disk = NO_DISK_GUARD }: FetchDeps) {
  async function cloneTarget(appId: string, source: GitSource): Promise<{ url: string; installationId: number | null; header?: string }> {
    const row = await getGitSource(db, appId);
    const url = source.url ?? row?.url ?? null;
    const repository = source.repository ?? row?.repository;
    const gitHostId = source.gitHostId ?? row?.gitHostId ?? null;
    // A forge connection's repository: its own clone URL (the token goes to that server only).
    if (gitHostId && repository && gitHosts) {
      const forge = await gitHosts.cloneTarget(gitHostId, repository);
      return { url: forge.url, installationId: null, header: forge.header };
    }
    if (url) return { url, installationId: null };
    if (!repository) throw permanentFailure('ValidationFailed', 'the app names no repository or git URL');
    const [repo] = await db
      .select()
      .from(githubRepositories)
      .where(sql`lower(${githubRepositories.fullName}) = lower(${repository}) and ${githubRepositories.removedAt} is null`);
    return {
      url: repo?.cloneUrl ?? `${githubWebUrl}/${repository}.git`,
      installationId: source.installationId ?? row?.installationId ?? repo?.installationId ?? null,
    };
  }

  return async function fetchSource(input: FetchInput): Promise<{ sha: string }> {
    await recordReport(db, input.report);
    await disk.ensureRoom('the build');
    const { deploymentId, source } = input;
    const dir = workspaceDir(workspacesDir, deploymentId);
    const target = await cloneTarget(input.appId, source);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      GIT_TERMINAL_PROMPT: '0',
      GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS,
      GIT_CONFIG_NOSYSTEM: '1',
    };
    if (target.header) {
      Object.assign(env, { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: target.header });
    } else if (target.installationId !== null) {
      const token = await github.installationToken(target.installationId);
      Object.assign(env, {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
      });
    }
    const want = source.sha ?? source.ref ?? 'HEAD';
    if (source.sha && !SHA_PATTERN.test(source.sha)) throw permanentFailure('ValidationFailed', `not a commit id: ${source.sha}`);
    const why = gitUrlProblem(target.url) ?? gitRefProblem(want);
    if (why) throw permanentFailure('ValidationFailed', `refused to fetch ${displayUrl(target.url)} ${want}: ${why}`);
    await deploymentLog.write(deploymentId, 'info', 'build', `fetching ${displayUrl(target.url)} ${want}`);

    return withHeartbeat(async (signal) => {
      const git = async (args: string[]) => {
        const res = await runCommand('git', args, { cwd: dir, env, signal, timeoutMs: FETCH_TIMEOUT_MS });
        return res;
      };
      try {
        await removeWorkspace(dir);
        await mkdir(dir, { recursive: true });
        await git(['init', '-q']);
        const fetched = await git(fetchArgs(target.url, want));
        if (fetched.code !== 0) {
          const why = fetched.tail.filter(Boolean).join(' ').slice(0, 500);
          throw permanentFailure('SourceNotFound', `could not fetch ${want} from ${displayUrl(target.url)}: ${why}`);
        }
        await git(['checkout', '-q', '--detach', 'FETCH_HEAD']);
        const head = await git(['rev-parse', 'HEAD']);
        const sha = head.tail.find((l) => SHA_PATTERN.test(l.trim()))?.trim();
        if (!sha) throw permanentFailure('SourceNotFound', `fetched ${want} but found no commit`);
        if (source.sha && sha !== source.sha) throw permanentFailure('SourceNotFound', `fetched ${sha}, not the commit asked for (${source.sha})`);
        await db
          .update(deployments)
          .set({ request: sql`${deployments.request} || ${JSON.stringify({ sha })}::jsonb` })
          .where(eq(deployments.id, deploymentId));
        await deploymentLog.write(deploymentId, 'info', 'build', `checked out ${sha}`);
        return { sha };
      } catch (err) {
        await removeWorkspace(dir);
        if (err instanceof CommandAborted && err.reason === 'timeout') throw permanentFailure('SourceNotFound', `fetching ${want} took over ${FETCH_TIMEOUT_MS / 1000} s`);
        throw err;
      }
    });
  };
}
