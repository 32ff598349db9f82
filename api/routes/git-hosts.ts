// Connections to git forges (Gitea, Forgejo, GitLab, Bitbucket): made, listed and removed by instance
// administrators. The access token and webhook secret are sealed at once and never returned;
// a secret Berth makes is shown once, in the answer that made it.
import { randomBytes } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { getGitHost, listGitHosts, sealGitHost, type GitHostRow } from '../../db/queries/git-hosts.js';
import { gitHosts, gitSources } from '../../db/schema/index.js';
import { newId } from '../../src/ids.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { executeWorkflow } from '../../src/temporal/workflow-starts.js';
import { WorkflowFailedError } from '@temporalio/client';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { conflict, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { GitHost, GitHostCreated, GitHostInput, HostRepository } from '../schemas/git-hosts.js';
import { GitHostId } from '../schemas/git-sources.js';

/** A caller waits on a repository list: the host gets this long, attempts included. */
const LIST_TIMEOUT = '25s';

const present = (r: GitHostRow) => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  baseUrl: r.baseUrl,
  webhookPath: `/webhooks/${r.kind === 'forgejo' ? 'gitea' : r.kind}/${r.id}`,
  createdAt: r.createdAt.toISOString(),
});

export function gitHostRoutes({ db, secretBox, temporal }: AppDeps) {
  const app = newRouter();
  const Param = z.object({ id: GitHostId });

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/',
      access: { instance: 'read' },
      tags: ['git-hosts'],
      summary: 'Git host connections (Gitea, Forgejo, GitLab, Bitbucket)',
      responses: { 200: json(z.object({ items: z.array(GitHost) }), 'Connections'), ...errorResponses },
    }),
    async (c) => c.json({ items: (await listGitHosts(db)).map(present) }, 200),
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/',
      access: { instance: 'admin' },
      tags: ['git-hosts'],
      summary: 'Connect a Gitea, Forgejo, GitLab or Bitbucket server',
      description:
        'Then add a webhook on the forge (repository, organisation or group) to webhookPath, content type application/json, with the webhook secret (GitLab: its secret token; Bitbucket: its secret), for push, tag and pull/merge request events; and give apps git.gitHostId with repository owner/name.',
      request: { body: body(GitHostInput) },
      responses: { 201: json(GitHostCreated, 'Connected'), ...errorResponses },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const made = input.webhookSecret ? null : randomBytes(32).toString('base64url');
      const id = newId('ghc');
      const [row] = await db
        .insert(gitHosts)
        .values(sealGitHost(secretBox, { id, name: input.name, kind: input.kind, baseUrl: input.baseUrl.replace(/\/+$/, ''), accessToken: input.accessToken, webhookSecret: input.webhookSecret ?? (made as string) }))
        .onConflictDoNothing()
        .returning();
      if (!row) throw conflict(`a git host named ${input.name} already exists`);
      return c.json({ ...present(row), webhookSecret: made }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{id}/repositories',
      access: { instance: 'read' },
      tags: ['git-hosts'],
      summary: "The repositories a connection's access token reaches, read from the host now",
      request: { params: Param },
      description: "409 when the host refuses the connection's access token or does not answer within 25 s: the connection, not this request, needs fixing.",
      responses: { 200: json(z.object({ items: z.array(HostRepository) }), 'Repositories'), ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await getGitHost(db, id))) throw notFound('git host');
      try {
        const items = await executeWorkflow(temporal, WORKFLOWS.listHostRepositories, { workflowId: `git-host-repositories-${id}-${newId('req')}`, args: [{ gitHostId: id }], workflowExecutionTimeout: LIST_TIMEOUT });
        return c.json({ items }, 200);
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        // The host refused or could not be reached: the connection's address or token is at
        // fault (a 4xx, as the state of the connection conflicts with the request), as the host put it.
        const inner = err.cause?.cause instanceof Error ? err.cause.cause : err.cause;
        throw conflict(`the git host did not list its repositories (check the connection's baseUrl and accessToken): ${inner?.message ?? 'no answer'}`);
      }
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{id}',
      access: { instance: 'admin' },
      tags: ['git-hosts'],
      summary: 'Remove a git host connection no app uses',
      request: { params: Param },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await getGitHost(db, id))) throw notFound('git host');
      const [used] = await db.select({ appId: gitSources.appId }).from(gitSources).where(eq(gitSources.gitHostId, id)).limit(1);
      if (used) throw conflict('apps still build from this git host: point them elsewhere first');
      await db.delete(gitHosts).where(eq(gitHosts.id, id));
      return c.body(null, 204);
    },
  );
  return app;
}
