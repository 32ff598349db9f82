// Every resource is its own OpenAPIHono sub-app, built here so all share the validation hook
// (a body, query or path that fails its zod schema gets a 400 naming each field) and the
// access rule: an operation registered without an access declaration stops the API from
// starting, and each declaration becomes the operation's authorisation middleware and its
// `security` in the OpenAPI document.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { describeAccess, securityOf, type AccessRoute } from './access/access-spec.js';
import { authorize } from './access/authorize.js';
import type { AppEnv } from './deps.js';
import { errorBody, type Issue } from './errors.js';
import { ErrorResponse } from './schemas/common.js';

/** What every protected operation may answer before it runs. */
const ACCESS_REFUSALS = {
  401: { description: 'No credentials, or ones that are expired, revoked or unknown', content: { 'application/json': { schema: ErrorResponse } } },
  403: { description: 'Not allowed for this caller (role, token scope or project)', content: { 'application/json': { schema: ErrorResponse } } },
};

export function newRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues: Issue[] = result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
      const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      return c.json(errorBody('ValidationFailed', `invalid ${result.target}: ${summary}`, c.get('requestId'), issues), 400);
    },
  });
  const register = router.openapi;
  router.openapi = ((route, handler, hook) => {
    const { access, middleware, ...rest } = route as unknown as AccessRoute & { middleware?: MiddlewareHandler | MiddlewareHandler[] };
    if (!access) throw new Error(`${rest.method.toUpperCase()} ${rest.path} declares no access (use defineRoute)`);
    const own = middleware === undefined ? [] : Array.isArray(middleware) ? middleware : [middleware];
    const description = [rest.description, `Access: ${describeAccess(access)}.`].filter(Boolean).join('\n\n');
    const refusals = 'public' in access ? {} : ACCESS_REFUSALS;
    const responses = { ...refusals, ...rest.responses };
    const declared = { ...rest, responses, description, security: securityOf(access), 'x-berth-access': access, middleware: [authorize(access), ...own] };
    return register(declared as unknown as typeof route, handler, hook);
  }) as typeof router.openapi;
  return router;
}
