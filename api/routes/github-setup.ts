// Setting up the GitHub App, in the browser: Berth builds the manifest, the person confirms it
// on GitHub, GitHub sends them back with a code that Berth exchanges for the app's id, private
// key and webhook secret (sealed before they are stored, never shown), then on to installing
// the app; the installation callback starts a repository sync. Every redirect carries a
// one-time `state` that the callback must bring back.
import { randomBytes } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { defineRoute } from '../access/access-spec.js';
import type { Context } from 'hono';
import { listGitHubApps, sealGitHubApp } from '../../db/queries/github-apps.js';
import { githubApps } from '../../db/schema/index.js';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { repositorySyncWorkflowId } from '../../src/domain/workflow-ids.js';
import { octokitFor } from '../../src/github/client.js';
import { buildManifest, INSTALL_CALLBACK_PATH, MANIFEST_CALLBACK_PATH, type ManifestConversion } from '../../src/github/manifest.js';
import { newId } from '../../src/ids.js';
import { startWorkflow } from '../../src/temporal/workflow-starts.js';
import type { AppDeps, AppEnv } from '../deps.js';
import { conflict, HttpError, notFound } from '../errors.js';
import { consumeState, issueState } from '../github/states.js';
import { authorize } from '../access/authorize.js';
import { newRouter } from '../router.js';
import { errorResponses, json } from '../schemas/common.js';
import { GitHubAppInfo, ManifestInput, ManifestStart } from '../schemas/github.js';
import type { WebhookVerifier } from '../webhooks/webhook-secrets.js';

const CODE = /^[A-Za-z0-9_-]{1,128}$/;
const badState = () => new HttpError(403, 'Forbidden', 'state is unknown, expired, already used or for another step: start again from Berth');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function githubSetupRoutes(deps: AppDeps, verifier: WebhookVerifier) {
  const { db, config, temporal, secretBox } = deps;
  const api = newRouter();
  // Pages that start a flow (they issue states) are for instance administrators; GitHub's
  // redirects back are public, checked by the one-time state they must bring.
  const starts = newRouter();
  const callbacks = newRouter();
  // Per route, not starts.use('*'): mounted beside the callbacks, a wildcard would cover them too.
  const administrators = authorize({ instance: 'admin' });

  async function startManifest(input: z.infer<typeof ManifestInput>) {
    const state = await issueState(db, 'manifest');
    const base = input.organization ? `${config.github.webUrl}/organizations/${input.organization}/settings/apps/new` : `${config.github.webUrl}/settings/apps/new`;
    return {
      manifest: buildManifest(input.name, { publicUrl: config.api.publicUrl, webhookUrl: config.access.webhookPublicUrl }),
      state,
      createUrl: `${base}?state=${encodeURIComponent(state)}`,
      formUrl: `${config.api.publicUrl}/github/app/new?name=${encodeURIComponent(input.name)}`,
    };
  }

  api.openapi(
    defineRoute({
      method: 'post',
      path: '/app/manifest',
      access: { instance: 'admin' },
      tags: ['github'],
      summary: 'Start creating the GitHub App',
      description: 'Returns the manifest and where to post it. The callback takes it from there; the state is good for one hour, once.',
      request: { body: { required: false, content: { 'application/json': { schema: ManifestInput } } } },
      responses: { 201: json(ManifestStart, 'Manifest and state'), ...errorResponses },
    }),
    async (c) => c.json(await startManifest(c.req.valid('json') ?? ManifestInput.parse({})), 201),
  );

  api.openapi(
    defineRoute({
      method: 'get',
      path: '/app',
      access: { instance: 'read' },
      tags: ['github'],
      summary: "Berth's GitHub App (no secrets)",
      responses: { 200: json(GitHubAppInfo, 'The app'), ...errorResponses },
    }),
    async (c) => {
      const row = (await listGitHubApps(db)).at(-1);
      if (!row) throw notFound('GitHub App');
      return c.json(
        { id: row.id, appId: row.appId, slug: row.slug, name: row.name, htmlUrl: row.htmlUrl, installUrl: `${config.api.publicUrl}/github/app/install`, createdAt: row.createdAt.toISOString() },
        200,
      );
    },
  );

  api.openapi(
    defineRoute({
      method: 'post',
      path: '/installations/{id}/sync',
      access: { instance: 'admin' },
      tags: ['github'],
      summary: "Sync an installation's repositories now",
      request: { params: z.object({ id: z.coerce.number().int().positive() }) },
      responses: { 202: json(z.object({ workflowId: z.string() }), 'Sync started'), ...errorResponses },
    }),
    async (c) => c.json({ workflowId: await startSync(c.req.valid('param').id) }, 202),
  );

  async function startSync(installationId: number): Promise<string> {
    const workflowId = repositorySyncWorkflowId(installationId);
    await startWorkflow(temporal, WORKFLOWS.syncRepositories, {
      workflowId,
      args: [{ installationId }],
      // A sync already running covers this request.
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return workflowId;
  }

  // The page a browser is sent to: it posts the manifest form to GitHub.
  starts.get('/app/new', administrators, async (c) => {
    const name = c.req.query('name');
    const parsed = ManifestInput.safeParse(name ? { name } : {});
    if (!parsed.success) throw new HttpError(400, 'ValidationFailed', 'name: letters, digits, spaces, . _ - (at most 34)');
    const start = await startManifest(parsed.data);
    // The page's one inline script submits the form to GitHub: a nonce allows it and nothing else.
    const nonce = randomBytes(16).toString('base64');
    const html = `<!doctype html><meta charset="utf-8"><title>Create the GitHub App</title>
<form id="f" method="post" action="${escapeHtml(start.createUrl)}"><input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(start.manifest))}">
<button>Create the GitHub App on GitHub</button></form><script nonce="${nonce}">document.getElementById('f').submit()</script>`;
    c.header('Content-Security-Policy', `default-src 'none'; script-src 'nonce-${nonce}'; form-action ${new URL(config.github.webUrl).origin}; base-uri 'none'; frame-ancestors 'none'`);
    return c.html(html);
  });

  // GitHub's redirect after the app was created: exchange the code, keep the secrets sealed.
  callbacks.get(MANIFEST_CALLBACK_PATH.replace('/github', ''), async (c: Context<AppEnv>) => {
    const code = c.req.query('code');
    if (!(await consumeState(db, c.req.query('state'), 'manifest'))) throw badState();
    if (!code || !CODE.test(code)) throw new HttpError(400, 'ValidationFailed', 'code is missing or malformed');
    const Octokit = octokitFor(config.github.apiUrl);
    let conversion: ManifestConversion;
    try {
      const res = await new Octokit().request('POST /app-manifests/{code}/conversions', { code });
      conversion = res.data as unknown as ManifestConversion;
    } catch (err) {
      const status = (err as { status?: number }).status;
      throw new HttpError(502, 'Unavailable', `GitHub did not exchange the code${status ? ` (HTTP ${status})` : ''}: it is good for one hour, once`);
    }
    const id = newId('gha');
    const inserted = await db.insert(githubApps).values(sealGitHubApp(secretBox, id, conversion)).onConflictDoNothing().returning({ id: githubApps.id });
    if (inserted.length === 0) throw conflict(`GitHub App ${conversion.id} is already known`);
    verifier.invalidate();
    const state = await issueState(db, 'install');
    return c.redirect(`${conversion.html_url}/installations/new?state=${encodeURIComponent(state)}`, 302);
  });

  // Where a person goes to install the app (again): GitHub's install page, with a fresh state.
  starts.get('/app/install', administrators, async (c) => {
    const row = (await listGitHubApps(db)).at(-1);
    if (!row) throw notFound('GitHub App');
    const state = await issueState(db, 'install');
    return c.redirect(`${row.htmlUrl}/installations/new?state=${encodeURIComponent(state)}`, 302);
  });

  // GitHub's redirect after an installation: checked by state, then its repositories synced.
  callbacks.get(INSTALL_CALLBACK_PATH.replace('/github', ''), async (c) => {
    if (!(await consumeState(db, c.req.query('state'), 'install'))) throw badState();
    const action = c.req.query('setup_action') ?? 'install';
    // A person's browser goes on to the web UI's GitHub page, which says what happened; a
    // program asking for JSON gets the answer as before.
    const toPage = (c.req.header('accept') ?? '').includes('text/html');
    if (action === 'request') {
      if (toPage) return c.redirect(`${config.api.publicUrl}/ui/github?requested=1`, 302);
      return c.json({ status: 'requested', message: 'an organisation owner has to approve the installation' }, 202);
    }
    const id = Number(c.req.query('installation_id'));
    if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(400, 'ValidationFailed', 'installation_id is missing or not a number');
    const workflowId = await startSync(id);
    if (toPage) return c.redirect(`${config.api.publicUrl}/ui/github?installed=${id}`, 302);
    return c.json({ status: 'syncing', installationId: id, workflowId }, 202);
  });

  return { api, starts, callbacks };
}
