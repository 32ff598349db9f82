// The HTTP surface of Berth, built the same way for the server and the tests.
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isArchiveUpload } from './archive-upload.js';
import type { AppDeps, AppEnv } from './deps.js';
import { errorBody, handleError } from './errors.js';
import { requestId } from './middleware/request-id.js';
import { referencePage } from './reference.js';
import { newRouter } from './router.js';
import { appRoutes } from './routes/apps.js';
import { deploymentRoutes } from './routes/deployments.js';
import { environmentRoutes } from './routes/environments.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { reconcileRoutes } from './routes/reconcile.js';
import { projectRoutes } from './routes/projects.js';
import { buildSecretRoutes } from './routes/build-secrets.js';
import { githubRoutes } from './routes/github.js';
import { githubSetupRoutes } from './routes/github-setup.js';
import { ruleRoutes } from './routes/rules.js';
import { createWebhookCounters } from './webhooks/counters.js';
import { githubWebhook } from './webhooks/github.js';
import { createWebhookVerifier } from './webhooks/webhook-secrets.js';
import { stackRoutes } from './routes/stacks.js';

export const API_VERSION = '0.1.0';
/** JSON bodies are small; anything bigger is refused before it is read whole. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = newRouter();
  app.use('*', requestId(deps.log.child({ component: 'api' })));
  app.onError(handleError);
  const jsonLimit = bodyLimit({
    maxSize: MAX_JSON_BODY_BYTES,
    onError: (c) => c.json(errorBody('PayloadTooLarge', `request body over ${MAX_JSON_BODY_BYTES} bytes`, c.get('requestId')), 413),
  });
  // Static sites' archives are streamed to disk under their own limit (config.static.limits).
  app.use('/api/*', (c, next) => (isArchiveUpload(c.req.header('content-type')) ? next() : jsonLimit(c, next)));
  app.notFound((c) => c.json(errorBody('NotFound', `no route for ${c.req.method} ${c.req.path}`, c.get('requestId')), 404));

  app.route('/', healthRoutes(deps));
  app.route('/', metricsRoutes(deps));
  const verifier = createWebhookVerifier(deps.db, deps.secretBox);
  const counters = createWebhookCounters();
  app.route('/webhooks/github', githubWebhook(deps, { verifier, counters }));
  const githubSetup = githubSetupRoutes(deps, verifier);
  app.route('/github', githubSetup.pages);

  const v1 = newRouter();
  v1.route('/projects', projectRoutes(deps));
  v1.route('/apps', appRoutes(deps));
  v1.route('/apps', environmentRoutes(deps));
  v1.route('/', deploymentRoutes(deps));
  v1.route('/', reconcileRoutes(deps));
  v1.route('/apps', ruleRoutes(deps));
  v1.route('/apps', buildSecretRoutes(deps));
  v1.route('/github', githubSetup.api);
  v1.route('/github', githubRoutes(deps, counters));
  v1.route('/', stackRoutes(deps));
  v1.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Berth API',
      version: API_VERSION,
      description: 'Self-hosted deployments as durable Temporal workflows. Errors share one shape: {"error": {"type", "message", "requestId", "issues"?}}.',
    },
    servers: [{ url: '/api/v1' }],
  });
  v1.route('/reference', referencePage('/api/v1/openapi.json'));
  app.route('/api/v1', v1);

  app.get('/', (c) => c.redirect('/api/v1/reference'));
  return app;
}
