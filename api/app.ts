// The HTTP surface of Berth, built the same way for the server and the tests. Every request
// passes the same chain: request id, client address, security headers, the Host check, then
// authentication; each operation's declared access is enforced by its own route middleware
// (router.ts), and every change is appended to the audit log.
import { certificateRoutes } from './routes/certificates.js';
import { domainRoutes } from './routes/domains.js';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createAccessGate } from './access/access-gate.js';
import { SECURITY_SCHEMES } from './access/access-spec.js';
import { authenticate } from './access/authenticate.js';
import { authorize } from './access/authorize.js';
import { cookieNames } from './access/session-cookie.js';
import { createAuthenticator } from './access/credential-check.js';
import { createSignIn } from './access/sign-in.js';
import { isArchiveUpload } from './archive-upload.js';
import type { AppDeps, AppEnv } from './deps.js';
import { errorBody, handleError } from './errors.js';
import { auditTrail } from './middleware/audit-trail.js';
import { clientAddress } from './middleware/client-address.js';
import { allowedHosts, hostCheck } from './middleware/host-check.js';
import { requestId } from './middleware/request-id.js';
import { securityHeaders } from './middleware/security-headers.js';
import { referencePage } from './reference.js';
import { overviewRoutes } from './routes/overview.js';
import { removalRoutes } from './routes/removals.js';
import { UI_BASE, uiRoutes } from './ui/ui-routes.js';
import { newRouter } from './router.js';
import { appRoutes } from './routes/apps.js';
import { appLogRoutes } from './routes/app-logs.js';
import { environmentChartRoutes } from './routes/environment-charts.js';
import { auditRoutes } from './routes/audit.js';
import { environmentMoveRoutes } from './routes/environment-moves.js';
import { buildSecretRoutes } from './routes/build-secrets.js';
import { canaryRoutes } from './routes/canary.js';
import { deploymentRoutes } from './routes/deployments.js';
import { releaseRoutes } from './routes/releases.js';
import { environmentVariableRoutes } from './routes/environment-variables.js';
import { projectVariableRoutes } from './routes/project-variables.js';
import { variableSchemaRoutes } from './routes/variable-schema.js';
import { environmentRoutes } from './routes/environments.js';
import { githubRoutes } from './routes/github.js';
import { gitHostRoutes } from './routes/git-hosts.js';
import { genericWebhookRoutes } from './routes/generic-webhooks.js';
import { githubSetupRoutes } from './routes/github-setup.js';
import { healthRoutes } from './routes/health.js';
import { memberRoutes } from './routes/members.js';
import { metricsRoutes } from './routes/metrics.js';
import { notificationChannelRoutes } from './routes/notification-channels.js';
import { createApiMetrics } from './metrics/api-metrics.js';
import { previewRoutes } from './routes/previews.js';
import { projectRoutes } from './routes/projects.js';
import { reconcileRoutes } from './routes/reconcile.js';
import { ruleRoutes } from './routes/rules.js';
import { signInRoutes } from './routes/sign-in.js';
import { stackRoutes } from './routes/stacks.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { secretKeyRoutes } from './routes/secret-keys.js';
import { hostRoutes } from './routes/hosts.js';
import { hostSwarmRoutes } from './routes/host-swarm.js';
import { codecRoutes } from './routes/codec.js';
import { cors } from 'hono/cors';
import { createWebhookCounters, type WebhookCounters } from './webhooks/counters.js';
import { githubWebhook } from './webhooks/github.js';
import { gitHostWebhook } from './webhooks/git-host.js';
import { genericWebhook } from './webhooks/generic.js';
import { createWebhookVerifier, type WebhookVerifier } from './webhooks/webhook-secrets.js';

export const API_VERSION = '0.2.0';
/** JSON bodies are small; anything bigger is refused before it is read whole. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/** What the API listener and the webhook listener share: the secrets deliveries are checked with, and their counters. */
export interface WebhookIntake {
  verifier: WebhookVerifier;
  counters: WebhookCounters;
}

export function createWebhookIntake(deps: AppDeps): WebhookIntake {
  return { verifier: createWebhookVerifier(deps.db, deps.secretBox), counters: createWebhookCounters() };
}

/** What every listener does first: ids, addresses, headers, one error shape. */
function baseRouter(deps: AppDeps) {
  const app = newRouter();
  app.use('*', requestId(deps.log.child({ component: 'api' })));
  app.use('*', clientAddress(deps.config.access.trustedProxies));
  app.use('*', securityHeaders({ https: deps.config.api.publicUrl.startsWith('https:') }));
  app.onError(handleError);
  app.notFound((c) => c.json(errorBody('NotFound', `no route for ${c.req.method} ${c.req.path}`, c.get('requestId')), 404));
  return app;
}

/** The routes the internet must reach: git-host webhooks (signed) and GitHub's redirects (one-time state). */
function mountPublicIntake(app: ReturnType<typeof newRouter>, deps: AppDeps, intake: WebhookIntake) {
  app.route('/webhooks/github', githubWebhook(deps, intake));
  const gitHostIntake = gitHostWebhook(deps, intake.counters);
  app.route('/webhooks/gitea', gitHostIntake);
  app.route('/webhooks/gitlab', gitHostIntake);
  app.route('/webhooks/bitbucket', gitHostIntake);
  app.route('/webhooks/generic', genericWebhook(deps, intake.counters));
  app.route('/github', githubSetupRoutes(deps, intake.verifier).callbacks);
}

export function createApp(deps: AppDeps, intake: WebhookIntake = createWebhookIntake(deps)): Hono<AppEnv> {
  const { config, db } = deps;
  const app = baseRouter(deps);
  const metrics = createApiMetrics({ db, config, webhooks: intake.counters });
  app.use('*', metrics.http);
  app.use('*', hostCheck(allowedHosts(config.api.publicUrl, config.access.allowedHosts)));
  const gate = createAccessGate(db, config.api.publicUrl);
  const authenticator = deps.authenticator ?? createAuthenticator(db, config.sessions, deps.log.child({ component: 'access' }));
  app.use('*', authenticate(authenticator, gate, cookieNames(config.api.publicUrl).session));
  app.use('/api/*', auditTrail({ db, log: deps.log, retentionDays: config.access.auditRetentionDays }));
  const jsonLimit = bodyLimit({
    maxSize: MAX_JSON_BODY_BYTES,
    onError: (c) => c.json(errorBody('PayloadTooLarge', `request body over ${MAX_JSON_BODY_BYTES} bytes`, c.get('requestId')), 413),
  });
  // Static sites' archives are streamed to disk under their own limit (config.static.limits).
  app.use('/api/*', (c, next) => (isArchiveUpload(c.req.header('content-type')) ? next() : jsonLimit(c, next)));

  // The Temporal Web UI calls the payload codec from its own origin, with the session cookie.
  app.use(
    '/api/v1/codec/*',
    cors({ origin: new URL(config.temporal.uiUrl).origin, credentials: true, allowMethods: ['POST'], allowHeaders: ['content-type', 'x-namespace', 'authorization'], maxAge: 600 }),
  );
  app.route('/', healthRoutes(deps));
  app.use('/metrics', authorize({ instance: 'read' }));
  app.route('/', metricsRoutes(metrics));
  mountPublicIntake(app, deps, intake);
  const githubSetup = githubSetupRoutes(deps, intake.verifier);
  app.route('/github', githubSetup.starts);

  const v1 = newRouter();
  v1.openAPIRegistry.registerComponent('securitySchemes', 'bearer', SECURITY_SCHEMES.bearer);
  v1.openAPIRegistry.registerComponent('securitySchemes', 'session', SECURITY_SCHEMES.session);
  v1.route('/', signInRoutes(deps, createSignIn(db, config)));
  v1.route('/users', userRoutes(deps));
  v1.route('/tokens', tokenRoutes(deps));
  v1.route('/projects', projectRoutes(deps));
  v1.route('/projects', memberRoutes(deps));
  v1.route('/', auditRoutes(deps));
  v1.route('/apps', appRoutes(deps));
  v1.route('/apps', environmentRoutes(deps));
  v1.route('/apps', appLogRoutes(deps));
  v1.route('/apps', environmentChartRoutes(deps));
  v1.route('/apps', removalRoutes(deps));
  v1.route('/apps', environmentMoveRoutes(deps));
  v1.route('/apps', environmentVariableRoutes(deps));
  v1.route('/apps', variableSchemaRoutes(deps));
  v1.route('/projects', projectVariableRoutes(deps));
  v1.route('/apps', domainRoutes(deps));
  v1.route('/apps', certificateRoutes(deps));
  v1.route('/', deploymentRoutes(deps));
  v1.route('/', canaryRoutes(deps));
  v1.route('/', releaseRoutes(deps));
  v1.route('/', reconcileRoutes(deps));
  v1.route('/apps', ruleRoutes(deps));
  v1.route('/apps', buildSecretRoutes(deps));
  v1.route('/apps', previewRoutes(deps));
  v1.route('/apps', genericWebhookRoutes(deps));
  v1.route('/github', githubSetup.api);
  v1.route('/github', githubRoutes(deps, intake.counters));
  v1.route('/git-hosts', gitHostRoutes(deps));
  v1.route('/', stackRoutes(deps));
  v1.route('/', overviewRoutes(deps));
  v1.route('/', notificationChannelRoutes(deps));
  v1.route('/admin', secretKeyRoutes(deps));
  v1.route('/hosts', hostRoutes(deps));
  v1.route('/hosts', hostSwarmRoutes(deps));
  v1.route('/codec', codecRoutes(deps));
  v1.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Berth API',
      version: API_VERSION,
      description:
        'Self-hosted deployments as durable Temporal workflows. Every operation needs an API token (Authorization: Bearer berth_pat_…) or a session cookie (changes also need X-CSRF-Token), except the few whose security is empty. Errors share one shape: {"error": {"type", "message", "requestId", "issues"?}}.',
    },
    servers: [{ url: '/api/v1' }],
  });
  v1.route('/reference', referencePage('/api/v1/openapi.json'));
  app.route('/api/v1', v1);

  app.route(UI_BASE, uiRoutes());
  app.get('/', (c) => c.redirect(`${UI_BASE}/`));
  return app;
}

/** The second listener (BERTH_WEBHOOK_LISTEN): git-host webhooks and GitHub's redirects, nothing else. */
export function createWebhookApp(deps: AppDeps, intake: WebhookIntake): Hono<AppEnv> {
  const app = baseRouter(deps);
  mountPublicIntake(app, deps, intake);
  return app;
}
