// What a generic webhook delivery says: a ref of the app's repository to deploy, and optionally
// the exact commit. It becomes a push (or tag) event, decided by the app's rules like any other.
import { z } from 'zod';
import type { GitEvent } from '../../domain/github-events.js';
import { gitRefProblem } from '../../domain/git-input.js';

export const GenericDelivery = z
  .object({
    ref: z
      .string()
      .regex(/^refs\/(heads|tags)\/./, 'refs/heads/<branch> or refs/tags/<tag>')
      .superRefine((v, ctx) => {
        const why = gitRefProblem(v);
        if (why) ctx.addIssue({ code: 'custom', message: why });
      }),
    sha: z.string().regex(/^[0-9a-f]{40}$/, 'a full commit id (40 hex digits)').optional(),
  })
  .strict();

export type GenericDelivery = z.infer<typeof GenericDelivery>;

/** The delivery as a push of `repository` (the app's own: a generic hook belongs to one app). */
export function genericPushEvent(delivery: GenericDelivery, repository: string): Extract<GitEvent, { kind: 'push' }> {
  const branch = delivery.ref.startsWith('refs/heads/') ? delivery.ref.slice('refs/heads/'.length) : null;
  const tag = delivery.ref.startsWith('refs/tags/') ? delivery.ref.slice('refs/tags/'.length) : null;
  return { kind: 'push', repository, installationId: null, branch, tag, sha: delivery.sha ?? '', deleted: false, changedPaths: null, message: null };
}
