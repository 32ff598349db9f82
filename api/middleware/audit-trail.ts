// Every change asked of the API is appended to the audit log once it has an answer: who (user
// by session, or token), what (the operation as declared, e.g. "POST /apps/{app}/environments/
// {env}/deployments"), on what (the path), the project, the outcome and status, the request id
// and address. Ids from a successful answer (deploymentId, workflowId, id) go into its detail;
// nothing else of a body is kept, so no secret reaches the log. Reads are not recorded.
import type { Context, MiddlewareHandler } from 'hono';
import { appendAudit, pruneAudit, type NewAuditEvent } from '../../db/queries/audit.js';
import type { Db } from '../../db/client.js';
import type { AuditOutcome } from '../../db/schema/index.js';
import type { Logger } from '../../src/logger.js';
import { isSafeMethod } from '../access/csrf-check.js';
import type { AppEnv } from '../deps.js';

const KEPT_IDS = ['id', 'deploymentId', 'workflowId', 'releaseId'] as const;
const PRUNE_EVERY_MS = 60 * 60_000;
const MAX_BODY_READ = 16 * 1024;

export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'succeeded';
  if (status === 401 || status === 403) return 'denied';
  if (status < 500) return 'rejected';
  return 'failed';
}

/** "/api/v1/apps/:app/environments/:env/deployments" → "POST /apps/{app}/environments/{env}/deployments" */
export function actionOf(method: string, routePath: string): string {
  return `${method} ${routePath.replace(/^\/api\/v1/, '').replace(/:([A-Za-z0-9_]+)/g, '{$1}') || '/'}`;
}

async function idsOf(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const type = c.res.headers.get('content-type') ?? '';
  const length = Number(c.res.headers.get('content-length') ?? '0');
  if (c.res.status >= 300 || !type.includes('json') || length > MAX_BODY_READ) return {};
  try {
    const body = (await c.res.clone().json()) as Record<string, unknown>;
    return Object.fromEntries(KEPT_IDS.filter((k) => typeof body[k] === 'string' || typeof body[k] === 'number').map((k) => [k, body[k]]));
  } catch {
    return {};
  }
}

export function auditTrail(deps: { db: Db; log: Logger; retentionDays: number }): MiddlewareHandler<AppEnv> {
  let prunedAt = 0;
  return async function auditTrailMiddleware(c, next) {
    await next();
    if (isSafeMethod(c.req.method)) return;
    const principal = c.get('principal');
    const event: NewAuditEvent = {
      actorKind: principal ? (principal.via === 'token' ? 'token' : 'user') : 'anonymous',
      actorId: principal?.userId ?? null,
      actorName: principal?.email ?? c.get('auditActorName') ?? null,
      action: actionOf(c.req.method, c.req.routePath),
      target: c.req.path,
      projectId: c.get('projectId') ?? null,
      outcome: outcomeOf(c.res.status),
      status: c.res.status,
      requestId: c.get('requestId'),
      address: c.get('address'),
      detail: { ...(principal?.tokenId ? { tokenId: principal.tokenId } : {}), ...(await idsOf(c)) },
    };
    try {
      await appendAudit(deps.db, [event]);
      if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = Date.now();
        const pruned = await pruneAudit(deps.db, deps.retentionDays);
        if (pruned) c.get('log').info({ pruned, retentionDays: deps.retentionDays }, 'audit events pruned');
      }
    } catch (err) {
      c.get('log').error({ err, action: event.action }, 'audit event not recorded');
    }
  };
}
