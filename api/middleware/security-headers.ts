// Headers every response carries: a strict Content-Security-Policy (nothing from other origins,
// no inline scripts, never framed), no MIME sniffing, no referrer, and HSTS when Berth is
// served over https. A handler that needs a wider policy (the GitHub App form posts to GitHub)
// sets its own Content-Security-Policy, which is kept.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../deps.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Swagger UI (the API reference) sets style attributes.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function securityHeaders(options: { https: boolean }): MiddlewareHandler<AppEnv> {
  const fixed: [string, string][] = [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ...(options.https ? ([['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']] as [string, string][]) : []),
  ];
  return async function securityHeadersMiddleware(c, next) {
    await next();
    if (!c.res.headers.has('Content-Security-Policy')) c.res.headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    for (const [name, value] of fixed) c.res.headers.set(name, value);
  };
}
