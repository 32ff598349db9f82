// Notification channels as the API takes and gives them. Secrets go in (URLs with tokens, the
// signing secret, bot tokens, routing keys, SMTP passwords) and come back only masked.
import { z } from '@hono/zod-openapi';
import { NOTIFICATION_EVENTS } from '../../src/domain/notification-events.js';
import { isSigningSecret } from '../../src/notifications/standard-webhooks.js';
import { Name } from './common.js';

// Simple patterns in the document (fuzzers generate from them), the real parser behind them.
const HttpUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/\S+$/, 'expected an http:// or https:// URL')
  .refine((u) => URL.canParse(u), 'expected an absolute URL');

const Email = z.string().max(254).regex(/^[^\s@<>,]+@[^\s@<>,]+$/, 'expected an e-mail address');

export const Destination = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('webhook'),
      url: HttpUrl,
      secret: z.string().refine(isSigningSecret, 'expected whsec_ and 24-64 bytes in base64').optional().openapi({ description: 'Standard Webhooks signing secret; made by Berth when absent (shown once)' }),
    }),
    z.object({ kind: z.enum(['slack', 'discord', 'teams']), url: HttpUrl.openapi({ description: 'The incoming webhook URL the service gave' }) }),
    z.object({
      kind: z.literal('telegram'),
      botToken: z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'expected a bot token (123456:ABC…)'),
      chatId: z.string().regex(/^-?\d{1,20}$|^@[A-Za-z0-9_]{5,32}$/, 'expected a chat id or @channelname'),
    }),
    z.object({ kind: z.literal('pagerduty'), routingKey: z.string().regex(/^[A-Za-z0-9]{32}$/, 'expected a 32-character integration key') }),
    z.object({
      kind: z.literal('email'),
      host: z.string().regex(/^[A-Za-z0-9.-]{1,253}$|^\[[0-9a-fA-F:]+\]$/, 'expected a host name or address'),
      port: z.number().int().min(1).max(65535).default(587),
      secure: z.boolean().default(false).openapi({ description: 'TLS from the first byte (port 465); otherwise STARTTLS when offered' }),
      user: z.string().min(1).max(254).nullable().default(null),
      password: z.string().min(1).max(1024).nullable().default(null),
      from: Email,
      to: z.array(Email).min(1).max(20),
    }),
  ])
  .openapi('NotificationDestination');

const EventName = z.enum(['*', ...NOTIFICATION_EVENTS.filter((e) => e !== 'test')] as [string, ...string[]]);

export const SubscriptionInput = z
  .object({
    app: Name.nullable().default(null).openapi({ description: 'Only this app’s events (null: every app of the channel’s scope)' }),
    environment: Name.nullable().default(null).openapi({ description: 'Only environments of this name' }),
    events: z.array(EventName).min(1).max(NOTIFICATION_EVENTS.length),
  })
  .strict();

const ChannelName = z.string().trim().min(1).max(80);

export const ChannelInput = z
  .object({
    name: ChannelName,
    destination: Destination,
    subscriptions: z.array(SubscriptionInput).max(50).default([{ app: null, environment: null, events: ['*'] }]),
    enabled: z.boolean().default(true),
  })
  .strict()
  .openapi('NotificationChannelInput');

export const ChannelPatch = z
  .object({ name: ChannelName.optional(), destination: Destination.optional(), subscriptions: z.array(SubscriptionInput).max(50).optional(), enabled: z.boolean().optional() })
  .strict()
  .openapi('NotificationChannelPatch');

export const Channel = z
  .object({
    id: z.string(),
    project: z.string().nullable(),
    name: z.string(),
    kind: z.string(),
    enabled: z.boolean(),
    destination: z.record(z.string(), z.unknown()).openapi({ description: 'Secrets masked' }),
    subscriptions: z.array(z.object({ app: z.string().nullable(), environment: z.string().nullable(), events: z.array(z.string()) })),
    createdAt: z.string(),
    updatedAt: z.string(),
    signingSecret: z.string().optional().openapi({ description: 'A webhook channel’s signing secret, in the answer that made it only' }),
  })
  .openapi('NotificationChannel');

export const Message = z
  .object({
    id: z.string().openapi({ description: 'Also the webhook-id receivers de-duplicate by' }),
    eventType: z.string(),
    title: z.string(),
    status: z.enum(['pending', 'sent', 'failed']),
    attempts: z.number(),
    responseStatus: z.number().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi('NotificationMessage');

export const ChannelParam = z.object({ channel: z.string().regex(/^ntc_[0-9a-z]{10,32}$/, 'not a channel id') });
