// The HTTP surface of Berth, built the same way for the server and the tests.
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps, AppEnv } from './deps.js';
import { errorBody, handleError } from './errors.js';
import { requestId } from './middleware/request-id.js';
import { referencePage } from './reference.js';
import { newRouter } from './router.js';
import { appRoutes } from './routes/apps.js';
import { deploymentRoutes } from './routes/deployments.js';
import { environmentRoutes } from './routes/environments.js';
import { healthRoutes } from './routes/health.js';
import { projectRoutes } from './routes/projects.js';
import { stackRoutes } from './routes/stacks.js';

export const API_VERSION = '0.1.0';
/** JSON bodies are small; anything bigger is refused before it is read whole. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = newRouter();
  app.use('*', requestId(deps.log.child({ component: 'api' })));
  app.onError(handleError);
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_JSON_BODY_BYTES,
      onError: (c) => c.json(errorBody('PayloadTooLarge', `request body over ${MAX_JSON_BODY_BYTES} bytes`, c.get('requestId')), 413),
    }),
  );
  app.notFound((c) => c.json(errorBody('NotFound', `no route for ${c.req.method} ${c.req.path}`, c.get('requestId')), 404));

  app.route('/', healthRoutes(deps));

  const v1 = newRouter();
  v1.route('/projects', projectRoutes(deps));
  v1.route('/apps', appRoutes(deps));
  v1.route('/apps', environmentRoutes(deps));
  v1.route('/', deploymentRoutes(deps));
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
