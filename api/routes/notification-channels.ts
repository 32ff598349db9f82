// Notification channels, their delivery log and "send test", in two scopes with the same
// operations: a project's (/projects/{project}/notification-channels, managed by its admins)
// and the instance's (/notification-channels, instance administrators).
import { randomUUID } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { notificationChannels, notificationMessages } from '../../db/schema/index.js';
import { SEVERITY_OF, type NotificationEvent } from '../../src/domain/notification-events.js';
import { deliverNow, notificationMessageId } from '../../src/notifications/delivery-start.js';
import { defineRoute, type Access } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { findChannel, findScope, listChannels, newChannelId, presentChannel, replaceSubscriptions, resolveSubscriptions, sealDestination } from '../notification-channels.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json, Name } from '../schemas/common.js';
import { Channel, ChannelInput, ChannelParam, ChannelPatch, Message } from '../schemas/notifications.js';

const ScopeParams = {
  project: { base: '/projects/{project}/notification-channels', params: z.object({ project: Name }), read: { need: 'read', on: 'param.project' }, manage: { need: 'manage', on: 'param.project' } },
  instance: { base: '/notification-channels', params: z.object({}), read: { instance: 'read' }, manage: { instance: 'admin' } },
} as const satisfies Record<string, { base: string; params: z.ZodObject; read: Access; manage: Access }>;

const MessagesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().regex(/^msg_[A-Za-z0-9_-]{26}$/, 'not a message id').optional().openapi({ description: 'The last id of the previous page' }),
});
const TestResult = z.object({ messageId: z.string(), outcome: z.enum(['sent', 'already-sent', 'dropped', 'failed']), responseStatus: z.number().nullable(), error: z.string().nullable() });

/** A test is tried once: its answer is the receiver's answer, not a retry schedule. */
const TEST_RETRY = { initialIntervalMs: 1000, maximumIntervalMs: 1000, maximumAttempts: 1 };

export function notificationChannelRoutes(deps: AppDeps) {
  const { db, secretBox } = deps;
  const app = newRouter();

  for (const [scopeName, s] of Object.entries(ScopeParams)) {
    const tags = ['notifications'];
    const withChannel = s.params.extend(ChannelParam.shape);
    const scopeOf = (project: string | undefined) => findScope(db, project);

    app.openapi(
      defineRoute({ method: 'get', path: s.base, tags, access: s.read, summary: `The ${scopeName}’s notification channels`, request: { params: s.params }, responses: { 200: json(z.object({ items: z.array(Channel) }), 'Channels'), ...errorResponses } }),
      async (c) => {
        const scope = await scopeOf(c.req.param('project'));
        const rows = await listChannels(db, scope);
        return c.json({ items: await Promise.all(rows.map((r) => presentChannel(db, r, scope))) }, 200);
      },
    );

    app.openapi(
      defineRoute({
        method: 'post',
        path: s.base,
        tags,
        access: s.manage,
        summary: 'Add a notification channel',
        description: 'Secrets (webhook URLs, the signing secret, bot tokens, routing keys, SMTP passwords) are sealed at rest and masked in every answer. A webhook channel without a secret gets one, returned in this answer only.',
        request: { params: s.params, body: body(ChannelInput) },
        responses: { 201: json(Channel, 'The channel'), ...errorResponses },
      }),
      async (c) => {
        const scope = await scopeOf(c.req.param('project'));
        const input = c.req.valid('json');
        const subs = await resolveSubscriptions(db, scope, input.subscriptions);
        const id = newChannelId();
        const { signingSecret, ...sealed } = sealDestination(secretBox, id, input.destination);
        const [row] = await db.insert(notificationChannels).values({ id, projectId: scope?.projectId ?? null, name: input.name, kind: input.destination.kind, enabled: input.enabled, ...sealed }).returning();
        await replaceSubscriptions(db, id, subs);
        const shown = await presentChannel(db, row as NonNullable<typeof row>, scope);
        return c.json(signingSecret ? { ...shown, signingSecret } : shown, 201);
      },
    );

    app.openapi(
      defineRoute({ method: 'get', path: `${s.base}/{channel}`, tags, access: s.read, request: { params: withChannel }, responses: { 200: json(Channel, 'The channel'), ...errorResponses } }),
      async (c) => {
        const scope = await scopeOf(c.req.param('project'));
        return c.json(await presentChannel(db, await findChannel(db, scope, c.req.param('channel') ?? ''), scope), 200);
      },
    );

    app.openapi(
      defineRoute({
        method: 'patch',
        path: `${s.base}/{channel}`,
        tags,
        access: s.manage,
        summary: 'Change a channel: name, destination (whole), subscriptions (all), enabled',
        request: { params: withChannel, body: body(ChannelPatch) },
        responses: { 200: json(Channel, 'The channel'), ...errorResponses },
      }),
      async (c) => {
        const scope = await scopeOf(c.req.param('project'));
        const current = await findChannel(db, scope, c.req.param('channel') ?? '');
        const patch = c.req.valid('json');
        // Everything is checked before anything is written.
        const subs = patch.subscriptions ? await resolveSubscriptions(db, scope, patch.subscriptions) : null;
        const sealed = patch.destination ? sealDestination(secretBox, current.id, patch.destination) : null;
        const [row] = await db
          .update(notificationChannels)
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
            ...(sealed && patch.destination ? { kind: patch.destination.kind, settings: sealed.settings, secretsSealed: sealed.secretsSealed } : {}),
            updatedAt: sql`now()`,
          })
          .where(eq(notificationChannels.id, current.id))
          .returning();
        if (subs) await replaceSubscriptions(db, current.id, subs);
        const shown = await presentChannel(db, row as NonNullable<typeof row>, scope);
        return c.json(sealed?.signingSecret ? { ...shown, signingSecret: sealed.signingSecret } : shown, 200);
      },
    );

    app.openapi(
      defineRoute({ method: 'delete', path: `${s.base}/{channel}`, tags, access: s.manage, summary: 'Remove a channel and its delivery log', request: { params: withChannel }, responses: { 204: { description: 'Removed' }, ...errorResponses } }),
      async (c) => {
        const scope = await scopeOf(c.req.param('project'));
        const current = await findChannel(db, scope, c.req.param('channel') ?? '');
        await db.delete(notificationChannels).where(eq(notificationChannels.id, current.id));
        return c.body(null, 204);
      },
    );

    app.openapi(
      defineRoute({
        method: 'get',
        path: `${s.base}/{channel}/messages`,
        tags,
        access: s.read,
        summary: 'The channel’s delivery log, newest first',
        request: { params: withChannel, query: MessagesQuery },
        responses: { 200: json(z.object({ items: z.array(Message), nextBefore: z.string().nullable() }), 'Messages'), ...errorResponses },
      }),
      async (c) => {
        const scope = await scopeOf(c.req.param('project'));
        const channel = await findChannel(db, scope, c.req.param('channel') ?? '');
        const { limit, before } = c.req.valid('query');
        const [pivot] = before ? await db.select({ at: notificationMessages.createdAt }).from(notificationMessages).where(eq(notificationMessages.id, before)) : [];
        const rows = await db
          .select()
          .from(notificationMessages)
          .where(and(eq(notificationMessages.channelId, channel.id), pivot ? lt(notificationMessages.createdAt, pivot.at) : undefined))
          .orderBy(desc(notificationMessages.createdAt), desc(notificationMessages.id))
          .limit(limit);
        const items = rows.map((m) => ({
          id: m.id,
          eventType: m.eventType,
          title: m.event.title,
          status: m.status,
          attempts: m.attempts,
          responseStatus: m.responseStatus,
          lastError: m.lastError,
          createdAt: m.createdAt.toISOString(),
          sentAt: m.sentAt?.toISOString() ?? null,
        }));
        return c.json({ items, nextBefore: rows.length === limit ? (rows.at(-1)?.id ?? null) : null }, 200);
      },
    );

    app.openapi(
      defineRoute({
        method: 'post',
        path: `${s.base}/{channel}/test`,
        tags,
        access: s.manage,
        summary: 'Send a test notification now and answer with the receiver’s answer',
        request: { params: withChannel },
        responses: { 200: json(TestResult, 'What the receiver answered (also in the delivery log)'), ...errorResponses },
      }),
      async (c) => {
        const scope = await scopeOf(c.req.param('project'));
        const channel = await findChannel(db, scope, c.req.param('channel') ?? '');
        const event: NotificationEvent = {
          type: 'test',
          key: `test:${randomUUID()}`,
          severity: SEVERITY_OF.test,
          title: `Test from Berth: ${channel.name}`,
          text: 'This channel receives Berth’s notifications.',
          projectId: scope?.projectId ?? null,
          appId: null,
          environmentId: null,
          facts: { channel: channel.name, ...(scope ? { project: scope.project } : {}) },
          link: null,
          at: Date.now(),
        };
        const messageId = notificationMessageId(channel.id, event.key);
        await db.insert(notificationMessages).values({ id: messageId, channelId: channel.id, eventType: event.type, event });
        const outcome = await deliverNow(deps.temporal, messageId, TEST_RETRY);
        const [m] = await db.select().from(notificationMessages).where(eq(notificationMessages.id, messageId));
        return c.json({ messageId, outcome, responseStatus: m?.responseStatus ?? null, error: m?.lastError ?? null }, 200);
      },
    );
  }
  return app;
}
