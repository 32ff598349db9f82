// GitHub webhook deliveries reduced to what Berth acts on. Only these events are stored and
// handed to the intake workflow; any other event (or pull-request action) is acknowledged and
// ignored. Payloads are parsed with zod, loosely: GitHub adds fields all the time.
import { z } from 'zod';
import { isFork } from './fork-policy.js';

export const HANDLED_EVENTS = ['ping', 'push', 'pull_request', 'installation', 'installation_repositories'] as const;
export type HandledEvent = (typeof HANDLED_EVENTS)[number];
/** "labeled": a label can approve a fork's head commit (the app's fork approval label). */
export const PULL_REQUEST_ACTIONS = ['opened', 'synchronize', 'reopened', 'closed', 'labeled'] as const;
export type PullRequestAction = (typeof PULL_REQUEST_ACTIONS)[number];

/** Is this delivery one Berth stores and acts on? */
export function isHandled(event: string, action: string | null): event is HandledEvent {
  if (!(HANDLED_EVENTS as readonly string[]).includes(event)) return false;
  if (event === 'pull_request') return (PULL_REQUEST_ACTIONS as readonly string[]).includes(action ?? '');
  return true;
}

const Repository = z.object({ full_name: z.string(), clone_url: z.string().optional(), default_branch: z.string().optional() });
const Installation = z.object({ id: z.number().int() }).nullish();
const FileList = z.array(z.string()).optional();
const Commit = z.object({ added: FileList, removed: FileList, modified: FileList });

const Push = z.object({
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  created: z.boolean().optional(),
  deleted: z.boolean().optional(),
  forced: z.boolean().optional(),
  commits: z.array(Commit).optional(),
  head_commit: z.object({ message: z.string().optional() }).nullish(),
  repository: Repository,
  installation: Installation,
});

const PullRequest = z.object({
  action: z.string(),
  number: z.number().int().positive(),
  pull_request: z.object({
    // head.repo is null when the fork it came from was deleted.
    head: z.object({ ref: z.string(), sha: z.string(), repo: z.object({ full_name: z.string() }).nullish() }),
    base: z.object({ ref: z.string(), repo: z.object({ full_name: z.string() }).nullish() }),
    merged: z.boolean().nullish(),
  }),
  label: z.object({ name: z.string() }).nullish(),
  sender: z.object({ login: z.string() }).nullish(),
  repository: Repository,
  installation: Installation,
});

const InstallationEvent = z.object({
  action: z.string(),
  installation: z.object({ id: z.number().int() }),
});

export type GitEvent =
  | { kind: 'ping' }
  | {
      kind: 'push';
      repository: string;
      installationId: number | null;
      /** Branch or tag name; null for a ref that is neither. */
      branch: string | null;
      tag: string | null;
      sha: string;
      deleted: boolean;
      /** Files the pushed commits touched (GitHub lists at most 20 commits; more → null). */
      changedPaths: string[] | null;
      message: string | null;
    }
  | {
      kind: 'pull_request';
      action: PullRequestAction;
      repository: string;
      installationId: number | null;
      number: number;
      head: string;
      headSha: string;
      base: string;
      /** owner/name of the head's repository; null when GitHub no longer knows it. */
      headRepository: string | null;
      /** The head is not in the base repository: code from outside the team. */
      fork: boolean;
      /** For "labeled": the label added, and who added it. */
      label: string | null;
      sender: string | null;
    }
  | { kind: 'installation'; action: string; installationId: number };

/** Push payloads list at most this many commits; beyond it the file list is incomplete. */
const PUSH_COMMITS_LISTED = 20;

export function parseGitEvent(event: HandledEvent, payload: unknown): GitEvent {
  switch (event) {
    case 'ping':
      return { kind: 'ping' };
    case 'push': {
      const p = Push.parse(payload);
      const commits = p.commits ?? [];
      const changedPaths =
        commits.length >= PUSH_COMMITS_LISTED ? null : [...new Set(commits.flatMap((c) => [...(c.added ?? []), ...(c.removed ?? []), ...(c.modified ?? [])]))];
      return {
        kind: 'push',
        repository: p.repository.full_name,
        installationId: p.installation?.id ?? null,
        branch: p.ref.startsWith('refs/heads/') ? p.ref.slice('refs/heads/'.length) : null,
        tag: p.ref.startsWith('refs/tags/') ? p.ref.slice('refs/tags/'.length) : null,
        sha: p.after,
        deleted: p.deleted === true || /^0{40}$/.test(p.after),
        changedPaths,
        message: p.head_commit?.message ?? null,
      };
    }
    case 'pull_request': {
      const p = PullRequest.parse(payload);
      return {
        kind: 'pull_request',
        action: p.action as PullRequestAction,
        repository: p.repository.full_name,
        installationId: p.installation?.id ?? null,
        number: p.number,
        head: p.pull_request.head.ref,
        headSha: p.pull_request.head.sha,
        base: p.pull_request.base.ref,
        headRepository: p.pull_request.head.repo?.full_name ?? null,
        fork: isFork(p.pull_request.head.repo?.full_name ?? null, p.pull_request.base.repo?.full_name ?? p.repository.full_name),
        label: p.label?.name ?? null,
        sender: p.sender?.login ?? null,
      };
    }
    case 'installation':
    case 'installation_repositories': {
      const p = InstallationEvent.parse(payload);
      return { kind: 'installation', action: `${event}.${p.action}`, installationId: p.installation.id };
    }
  }
}

/** The summary columns a stored delivery carries (for the deliveries list), from a parsed body. */
export function deliverySummary(payload: unknown): { action: string | null; repository: string | null; installationId: number | null; ref: string | null; sha: string | null } {
  const at = (...path: string[]): unknown =>
    path.reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined), payload);
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 512) : null);
  const installationId = at('installation', 'id');
  return {
    action: str(at('action')),
    repository: str(at('repository', 'full_name')),
    installationId: typeof installationId === 'number' ? installationId : null,
    ref: str(at('ref')) ?? str(at('pull_request', 'head', 'ref')),
    sha: str(at('after')) ?? str(at('pull_request', 'head', 'sha')),
  };
}
