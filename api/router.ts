// Every resource is its own OpenAPIHono sub-app, built here so all share the validation hook:
// a body, query or path that fails its zod schema gets a 400 naming each field.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './deps.js';
import { errorBody, type Issue } from './errors.js';

export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues: Issue[] = result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
      const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      return c.json(errorBody('ValidationFailed', `invalid ${result.target}: ${summary}`, c.get('requestId'), issues), 400);
    },
  });
}
