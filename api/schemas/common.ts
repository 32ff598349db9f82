// Shapes shared by every resource: names, ids, errors, pages.
import { z } from '@hono/zod-openapi';

/** App and environment names become DNS labels (<app>.<env>.<domain>). */
export const Name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$|^[a-z]$/, 'lowercase letters, digits and hyphens; starts with a letter; at most 40')
  .openapi({ example: 'web' });

export const Id = z.string().regex(/^[a-z]{2,4}_[0-9a-z]{10,32}$/, 'not a Berth id');

/** A DNS host name (RFC 1123), lowercase, at most 253 characters. */
export const Domain = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/, 'not a valid host name')
  .openapi({ example: 'www.example.com' });

export const ErrorResponse = z
  .object({
    error: z.object({
      type: z.string().openapi({ example: 'ValidationFailed' }),
      message: z.string(),
      requestId: z.string().nullable(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const errorResponses = {
  400: { description: 'Invalid input', content: { 'application/json': { schema: ErrorResponse } } },
  404: { description: 'Not found', content: { 'application/json': { schema: ErrorResponse } } },
  409: { description: 'Conflict with the current state', content: { 'application/json': { schema: ErrorResponse } } },
} as const;

/** For a route that asks a running workflow (a query): no worker answered it in time. */
export const unansweredResponse = {
  503: { description: 'The workflow did not answer within 5 s (no Berth worker running?); nothing changed', content: { 'application/json': { schema: ErrorResponse } } },
} as const;

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Id.optional().openapi({ description: 'nextCursor from the previous page' }),
});

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function body<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}
