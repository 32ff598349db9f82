// What the intake does with a pull request from a fork, for one app: by its fork policy, and,
// under "approve", whether a deployer approved this very head commit (through the API, or by
// adding the app's approval label on GitHub). A new push is a new commit, so a new approval.
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { previewApprovals, type gitSources } from '../../db/schema/index.js';
import { decideFork } from '../../src/domain/fork-policy.js';
import type { GitEvent } from '../../src/domain/github-events.js';

type PullRequest = Extract<GitEvent, { kind: 'pull_request' }>;

export type ForkStep =
  /** Deploy it (without secrets); `approvedBy` when this event is the approval (a label). */
  | { kind: 'deploy'; approvedBy: string | null }
  /** Record it as waiting for approval. */
  | { kind: 'hold'; reason: string }
  | { kind: 'skip'; reason: string };

export async function forkStep(db: Db, appId: string, source: typeof gitSources.$inferSelect, event: PullRequest): Promise<ForkStep> {
  const [approval] = await db
    .select({ status: previewApprovals.status })
    .from(previewApprovals)
    .where(and(eq(previewApprovals.appId, appId), eq(previewApprovals.number, event.number), eq(previewApprovals.headSha, event.headSha)));
  if (event.action === 'labeled') {
    const approves = source.forkPolicy === 'approve' && source.forkApprovalLabel !== null && event.label === source.forkApprovalLabel;
    if (!approves) return { kind: 'skip', reason: `label ${event.label ?? '?'} does not approve fork pull requests for this app` };
    // A label approves a commit that was already waiting (whoever labels has seen it listed);
    // a push that came in just before the label is recorded, and needs the label again.
    if (!approval) return { kind: 'hold', reason: 'the labeled head commit was not yet waiting for approval: remove the label and add it again to approve it' };
    if (approval.status === 'approved') return { kind: 'skip', reason: 'this head commit is already approved' };
    return { kind: 'deploy', approvedBy: `github:${event.sender ?? 'unknown'}` };
  }
  const decision = decideFork(source.forkPolicy, approval?.status === 'approved');
  if (decision.deploy) return { kind: 'deploy', approvedBy: null };
  return decision.wait ? { kind: 'hold', reason: decision.reason } : { kind: 'skip', reason: decision.reason };
}
