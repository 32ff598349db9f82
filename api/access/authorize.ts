// The route middleware every operation gets from its access declaration (see router.ts): it
// runs before the request is validated, so an anonymous caller learns nothing from a 400.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.js';
import type { Access } from './access-spec.js';

export function authorize(access: Access): MiddlewareHandler<AppEnv> {
  return async function authorizeMiddleware(c, next) {
    await c.get('gate').check(c, access);
    await next();
  };
}
