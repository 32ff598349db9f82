// The intake workflow's first step: read a stored delivery and decide what it means — which
// apps build from its repository (apps of kind git, and stacks reading their compose file from
// it: pushes deploy both alike), which of their rules match, what to deploy where, which
// preview to update or remove, which installation to sync. Reads only; the workflow acts.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { effectiveSettings } from '../../db/queries/environment-settings.js';
import { getEnvironment } from '../../db/queries/environments.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { listRules } from '../../db/queries/git-sources.js';
import { apps, gitSources, previews, type DeliveryOutcome, type DeliveryResult } from '../../db/schema/index.js';
import { getDelivery } from '../../db/queries/deliveries.js';
import { matchRules, type RuleInput } from '../../src/domain/deploy-rules.js';
import { inFlightDeployment } from '../../db/queries/in-flight.js';
import { environmentUrl, requestBase, type RequestBase, type RequestSite } from '../../src/domain/deploy-request.js';
import type { GitSource } from '../../src/domain/deployment.js';
import { isHandled, type GitEvent } from '../../src/domain/github-events.js';
import { providerFor } from '../../src/git-hosts/providers.js';
import { getGitHost } from '../../db/queries/git-hosts.js';
import { getGenericWebhook } from '../../db/queries/generic-webhooks.js';
import { GenericDelivery, genericPushEvent } from '../../src/git-hosts/generic/payload.js';
import { previewEnvironmentName, type PreviewTarget } from '../../src/domain/preview.js';
import type { PullRequestEvent } from '../../src/domain/workflow-definitions.js';
import { permanentFailure } from '../../src/errors.js';
import { SHA_PATTERN } from '../../src/domain/git-build.js';
import type { Logger } from '../../src/logger.js';
import { forkStep } from './fork-gate.js';
import { createRefusalCheck, done, note } from './plan-results.js';
import type { RefusalReport } from './refusal-feedback.js';
import type { GitHubClient } from './github-client.js';
import type { GiteaApi } from '../git-hosts/gitea/gitea-api.js';

export type { PreviewTarget };

export type DeliveryAction =
  | { kind: 'deploy'; result: DeliveryResult; request: RequestBase & { source: GitSource } }
  | { kind: 'preview'; result: DeliveryResult; target: PreviewTarget; event: Omit<PullRequestEvent, 'deploymentId'>; fork?: ForkRecord }
  /** A fork's head commit waiting for a deployer's approval (recorded, nothing deployed). */
  | { kind: 'preview-hold'; result: DeliveryResult; target: PreviewTarget; event: Omit<PullRequestEvent, 'deploymentId'>; fork: ForkRecord }
  | { kind: 'preview-close'; result: DeliveryResult; target: Pick<PreviewTarget, 'appId' | 'number'>; event: Omit<PullRequestEvent, 'deploymentId'> }
  | { kind: 'sync'; installationId: number; uninstalled: boolean }
  /** A deploy refused before anything was queued (variables the app's schema refuses): recorded, and a failed commit status when there is a commit to report on. */
  | { kind: 'refused'; result: DeliveryResult; report: RefusalReport | null };

/** What is recorded of a fork's pull request (preview_approvals): where it comes from, who approved it. */
export interface ForkRecord {
  headRepository: string | null;
  approvedBy: string | null;
}

export interface DeliveryPlan {
  actions: DeliveryAction[];
  /** Apps that looked at the delivery and did nothing, with why. */
  notes: DeliveryResult[];
  /** Set when nothing is to be done at all. */
  outcome: DeliveryOutcome | null;
  message: string;
}

interface Deps {
  db: Db;
  box: SecretBox;
  github: GitHubClient;
  site: RequestSite;
  previewIdleSeconds: number;
  log: Logger;
  /** Git host connections' APIs (to resolve an abbreviated commit hash, as Bitbucket sends). */
  hosts?: Pick<GiteaApi, 'getCommit'>;
}

const MAX_PR_FILES_PAGES = 30;

export function createPlanDelivery({ db, box, github, site, previewIdleSeconds, log, hosts }: Deps) {
  const refusal = createRefusalCheck({ db, box, site });
  type Candidate = Awaited<ReturnType<typeof appsOf>>[number];

  /** Apps building from the repository on the host the delivery came from (null: GitHub). */
  async function appsOf(repository: string, gitHostId: string | null) {
    return db
      .select({ app: apps, source: gitSources })
      .from(gitSources)
      .innerJoin(apps, eq(apps.id, gitSources.appId))
      .where(and(sql`lower(${gitSources.repository}) = lower(${repository})`, gitHostId === null ? isNull(gitSources.gitHostId) : eq(gitSources.gitHostId, gitHostId)));
  }

  /** Is the pull request's active preview already at this commit? */
  async function previewAt(appId: string, number: number, sha: string): Promise<boolean> {
    const [row] = await db.select({ headSha: previews.headSha }).from(previews).where(and(eq(previews.appId, appId), eq(previews.number, number), eq(previews.status, 'active')));
    return row?.headSha === sha;
  }

  /** Files a pull request changes (only asked for when a rule filters by paths). */
  async function pullRequestFiles(event: Extract<GitEvent, { kind: 'pull_request' }>): Promise<string[] | null> {
    if (event.installationId === null) return null;
    try {
      const octokit = await github.installation(event.installationId);
      const [owner, repo] = event.repository.split('/');
      const files: string[] = [];
      for (let page = 1; page <= MAX_PR_FILES_PAGES; page++) {
        const res = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', { owner: owner as string, repo: repo as string, pull_number: event.number, per_page: 100, page });
        const list = res.data as { filename: string }[];
        files.push(...list.map((f) => f.filename));
        if (list.length < 100) break;
      }
      return files;
    } catch (err) {
      log.warn({ err: (err as Error).message, repository: event.repository }, 'pull request files unavailable');
      return null;
    }
  }

  function sourceFor(event: Extract<GitEvent, { kind: 'push' | 'pull_request' }>, url: string | null, base: RequestBase, env: { name: string }, pullRequest: number | null, gitHostId: string | null): GitSource {
    const ref = event.kind === 'push' ? (event.branch ?? event.tag) : event.head;
    // A generic webhook may name a ref without a commit: the build fetches the ref's head.
    const sha = (event.kind === 'push' ? event.sha : event.headSha) || null;
    return {
      repository: event.repository,
      url,
      ref,
      sha,
      installationId: event.installationId,
      ...(gitHostId ? { gitHostId } : {}),
      pullRequest,
      feedback:
        event.installationId === null && gitHostId === null
          ? null
          : { environmentUrl: environmentUrl(base, site), publicUrl: site.publicUrl, production: /^prod/.test(env.name), transient: pullRequest !== null },
    };
  }

  async function planPush(event: Extract<GitEvent, { kind: 'push' }>, plan: DeliveryPlan, deliveryId: string, gitHostId: string | null, candidates: Candidate[]) {
    const what = event.tag !== null ? `tag ${event.tag}` : `branch ${event.branch}`;
    if (candidates.length === 0) return done(plan, 'no-match', `no app builds from ${event.repository}`);
    if (event.deleted) return done(plan, 'ignored', `${what} was deleted: nothing to build`);
    if (event.branch === null && event.tag === null) return done(plan, 'ignored', 'the ref is neither a branch nor a tag');
    const input: RuleInput = event.tag !== null ? { event: 'tag', name: event.tag, changedPaths: null } : { event: 'push', name: event.branch as string, changedPaths: event.changedPaths };
    for (const { app, source } of candidates) {
      const rules = await listRules(db, app.id);
      const match = matchRules(rules, input);
      if (!match.rule) {
        plan.notes.push(note(app.name, null, null, rules.length ? `no rule matches: ${match.checks.map((c) => c.reason).join('; ')}` : 'the app has no rules'));
        continue;
      }
      const env = await getEnvironment(db, app.id, match.rule.environment);
      if (!env) {
        plan.notes.push(note(app.name, match.rule.environment, match.rule, `rule matched, but environment ${match.rule.environment} does not exist`));
        continue;
      }
      const refused = await refusal(app, env.id, env.name, match.rule, { deliveryId, repository: event.repository, sha: event.sha || null, installationId: event.installationId, gitHostId });
      if (refused) {
        plan.actions.push(refused);
        continue;
      }
      const base = requestBase(app, env, (await effectiveSettings(db, env.id, site.watchSeconds)).settings, site);
      // Not refused during a move: it waits in the lane and runs where the environment is then (workflows/lane-placement.ts).
      const moving = await inFlightDeployment(db, env.id);
      const behind = moving?.trigger === 'move' ? `; queued behind move ${moving.id}, it deploys on the host the environment is on when that has ended` : '';
      plan.actions.push({
        kind: 'deploy',
        result: note(app.name, env.name, match.rule, `${what} at ${event.sha ? event.sha.slice(0, 12) : 'its head'}${behind}`),
        request: { ...base, source: sourceFor(event, source.url, base, env, null, gitHostId) },
      });
    }
    if (plan.actions.length === 0) done(plan, 'no-match', `no rule of ${candidates.length} app(s) matches ${what}`);
  }

  async function planPullRequest(event: Extract<GitEvent, { kind: 'pull_request' }>, plan: DeliveryPlan, deliveryId: string, gitHostId: string | null) {
    const candidates = await appsOf(event.repository, gitHostId);
    if (candidates.length === 0) return done(plan, 'no-match', `no app builds from ${event.repository}`);
    if (event.action === 'labeled' && !event.fork) return done(plan, 'ignored', 'labels only approve pull requests from forks');
    const action: PullRequestEvent['action'] = event.action === 'labeled' ? 'approved' : event.action;
    const prEvent: Omit<PullRequestEvent, 'deploymentId'> = { action, headSha: event.headSha, head: event.head, installationId: event.installationId, deliveryId, ...(event.fork ? { untrusted: true } : {}) };
    if (event.action === 'closed') {
      for (const { app } of candidates) {
        const [preview] = await db.select().from(previews).where(and(eq(previews.appId, app.id), eq(previews.number, event.number), eq(previews.status, 'active')));
        if (!preview) continue;
        plan.actions.push({
          kind: 'preview-close',
          result: note(app.name, previewEnvironmentName(event.number), null, `pull request #${event.number} closed: removing its preview`),
          target: { appId: app.id, number: event.number },
          event: prEvent,
        });
      }
      if (plan.actions.length === 0) done(plan, 'ignored', `pull request #${event.number} has no preview to remove`);
      return;
    }
    let files: string[] | null | undefined;
    const forkSkips: string[] = [];
    // Hosts that send an update for edits too (Bitbucket): no new commit, nothing to redeploy
    // (a fork's commit is left to the fork gate, which records approvals per commit).
    const unchanged: string[] = [];
    for (const { app, source } of candidates) {
      // A preview's teardown removes containers and routes, not Swarm services: stacks get none.
      if (app.kind === 'stack') {
        plan.notes.push(note(app.name, null, null, 'stacks have no pull-request previews'));
        continue;
      }
      const rules = (await listRules(db, app.id)).filter((r) => r.event === 'pull_request');
      if (files === undefined && rules.some((r) => r.paths?.length)) files = await pullRequestFiles(event);
      const match = matchRules(rules, { event: 'pull_request', name: event.head, base: event.base, changedPaths: files ?? null });
      if (!match.rule) {
        plan.notes.push(note(app.name, null, null, rules.length ? `no rule matches: ${match.checks.map((c) => c.reason).join('; ')}` : 'the app has no pull-request rules'));
        continue;
      }
      const template = await getEnvironment(db, app.id, match.rule.environment);
      if (!template) {
        plan.notes.push(note(app.name, match.rule.environment, match.rule, `rule matched, but template environment ${match.rule.environment} does not exist`));
        continue;
      }
      const target: PreviewTarget = {
        appId: app.id,
        appName: app.name,
        number: event.number,
        repository: event.repository,
        templateEnvironmentId: template.id,
        idleSeconds: source.previewIdleSeconds ?? previewIdleSeconds,
      };
      if (event.action === 'synchronize' && !event.fork && (await previewAt(app.id, event.number, event.headSha))) {
        unchanged.push(`${app.name}: the preview of #${event.number} is already at ${event.headSha.slice(0, 12)}`);
        continue;
      }
      const what = `pull request #${event.number} ${event.action} at ${event.headSha.slice(0, 12)}`;
      const step = event.fork ? await forkStep(db, app.id, source, event) : null;
      if (step?.kind === 'skip') {
        plan.notes.push(note(app.name, null, match.rule, step.reason));
        forkSkips.push(`${app.name}: ${step.reason}`);
        continue;
      }
      const env = previewEnvironmentName(event.number);
      const fork: ForkRecord = { headRepository: event.headRepository, approvedBy: step?.kind === 'deploy' ? step.approvedBy : null };
      if (step?.kind === 'hold') {
        const how = `POST /api/v1/apps/${app.name}/previews/${event.number}/approve {"sha":"${event.headSha}"}`;
        plan.actions.push({ kind: 'preview-hold', result: note(app.name, env, match.rule, `${what}: ${step.reason} (${how})`), target, event: prEvent, fork });
        continue;
      }
      // A preview made already is checked as it is; a new one as its template (what it inherits).
      const preview = await getEnvironment(db, app.id, env);
      const refused = await refusal(app, (preview ?? template).id, env, match.rule, { deliveryId, repository: event.repository, sha: event.headSha, installationId: event.installationId, gitHostId });
      if (refused) {
        plan.actions.push(refused);
        continue;
      }
      const byFork = event.fork ? ` from fork ${event.headRepository ?? '(deleted)'}, without secrets${fork.approvedBy ? `, approved by ${fork.approvedBy}` : ''}` : '';
      plan.actions.push({ kind: 'preview', result: note(app.name, env, match.rule, `${what}${byFork}`), target, event: prEvent, ...(event.fork ? { fork } : {}) });
    }
    if (plan.actions.length > 0) return;
    if (forkSkips.length || unchanged.length) done(plan, 'ignored', [...forkSkips, ...unchanged].join('; ').slice(0, 500));
    else done(plan, 'no-match', `no pull-request rule matches #${event.number} (${event.head} into ${event.base})`);
  }

  return async function planDelivery(input: { deliveryId: string }): Promise<DeliveryPlan> {
    const delivery = await getDelivery(db, input.deliveryId);
    if (!delivery) throw permanentFailure('NotFound', `delivery ${input.deliveryId} is not stored`);
    const plan: DeliveryPlan = { actions: [], notes: [], outcome: null, message: '' };
    if (!isHandled(delivery.event, delivery.action)) return done(plan, 'ignored', `${delivery.event} is not handled`);
    if (delivery.gitHostId?.startsWith('whk_')) {
      // A generic webhook belongs to one app: its rules decide, its repository is built.
      const hook = await getGenericWebhook(db, delivery.gitHostId);
      const [candidate] = hook ? await db.select({ app: apps, source: gitSources }).from(gitSources).innerJoin(apps, eq(apps.id, gitSources.appId)).where(eq(apps.id, hook.appId)) : [];
      if (!candidate) return done(plan, 'no-match', 'the webhook or its app was removed');
      const repository = candidate.source.repository ?? candidate.source.url ?? candidate.app.name;
      await planPush(genericPushEvent(GenericDelivery.parse(JSON.parse(delivery.payload)), repository), plan, delivery.id, null, [candidate]);
      return plan;
    }
    const host = delivery.gitHostId ? await getGitHost(db, delivery.gitHostId) : null;
    if (delivery.gitHostId && !host) return done(plan, 'failed', `git host connection ${delivery.gitHostId} was removed`);
    let event: GitEvent;
    try {
      event = providerFor(host?.kind ?? 'github').parse({ event: delivery.event, action: delivery.action }, JSON.parse(delivery.payload));
    } catch (err) {
      return done(plan, 'failed', `the payload lacks what a ${delivery.event} event needs: ${(err as Error).message.slice(0, 300)}`);
    }
    if (event.kind === 'ping') return done(plan, 'ignored', 'ping: the webhook reaches Berth');
    if (event.kind === 'installation') {
      plan.actions.push({ kind: 'sync', installationId: event.installationId, uninstalled: event.action === 'installation.deleted' });
      plan.message = `${event.action}: syncing installation ${event.installationId}`;
      return plan;
    }
    if (event.kind === 'pull_request' && host && !SHA_PATTERN.test(event.headSha)) {
      // An abbreviated hash (Bitbucket's pull requests): builds fetch commits by their full id.
      const full = hosts ? await hosts.getCommit(host.id, event.headRepository ?? event.repository, event.headSha) : null;
      if (!full) return done(plan, 'failed', `commit ${event.headSha} of ${event.headRepository ?? event.repository} could not be resolved on ${host.name}`);
      event = { ...event, headSha: full };
    }
    if (event.kind === 'push') await planPush(event, plan, delivery.id, host?.id ?? null, await appsOf(event.repository, host?.id ?? null));
    else await planPullRequest(event, plan, delivery.id, host?.id ?? null);
    return plan;
  };
}
