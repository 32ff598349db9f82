// Reading and writing notification channels for the routes: a channel belongs to a project or,
// with none, to the instance; a route of one scope never sees a channel of another. The
// destination's secrets are sealed before they reach the database.
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { z } from '@hono/zod-openapi';
import type { Db } from '../db/client.js';
import { apps, notificationChannels, notificationSubscriptions, projects } from '../db/schema/index.js';
import { newId } from '../src/ids.js';
import { channelSecretContext, splitDestination, type Destination as ChannelDestination } from '../src/notifications/channel-destinations.js';
import { newSigningSecret } from '../src/notifications/standard-webhooks.js';
import type { SecretBox } from '../src/secrets/secret-box.js';
import { invalid, notFound } from './errors.js';
import type { Destination, SubscriptionInput } from './schemas/notifications.js';

export type ChannelRow = typeof notificationChannels.$inferSelect;
/** A project's channels (its id and name), or the instance's (null). */
export type Scope = { projectId: string; project: string } | null;

export async function findScope(db: Db, projectName: string | undefined): Promise<Scope> {
  if (projectName === undefined) return null;
  const [p] = await db.select({ id: projects.id }).from(projects).where(eq(projects.name, projectName));
  if (!p) throw notFound(`project ${projectName}`);
  return { projectId: p.id, project: projectName };
}

const inScope = (scope: Scope) => (scope ? eq(notificationChannels.projectId, scope.projectId) : isNull(notificationChannels.projectId));

export async function findChannel(db: Db, scope: Scope, id: string): Promise<ChannelRow> {
  const [row] = await db.select().from(notificationChannels).where(and(eq(notificationChannels.id, id), inScope(scope)));
  if (!row) throw notFound(`notification channel ${id}`);
  return row;
}

export async function listChannels(db: Db, scope: Scope): Promise<ChannelRow[]> {
  return db.select().from(notificationChannels).where(inScope(scope)).orderBy(asc(notificationChannels.createdAt), asc(notificationChannels.id));
}

type SubscriptionIn = z.output<typeof SubscriptionInput>;

/** Subscriptions with app ids; an app outside the channel's project is refused. */
export async function resolveSubscriptions(db: Db, scope: Scope, subs: SubscriptionIn[]) {
  const names = [...new Set(subs.flatMap((s) => (s.app ? [s.app] : [])))];
  const found = names.length ? await db.select({ id: apps.id, name: apps.name, projectId: apps.projectId }).from(apps).where(inArray(apps.name, names)) : [];
  const ids = new Map(found.filter((a) => !scope || a.projectId === scope.projectId).map((a) => [a.name, a.id]));
  const missing = names.filter((n) => !ids.has(n));
  if (missing.length) throw invalid(`no app ${missing.join(', ')}${scope ? ` in project ${scope.project}` : ''}`);
  return subs.map((s) => ({ appId: s.app ? (ids.get(s.app) as string) : null, environmentName: s.environment, events: s.events.includes('*') ? ['*'] : [...new Set(s.events)] }));
}

/** Seals the destination's secrets; a webhook without a signing secret gets a new one. */
export function sealDestination(box: SecretBox, channelId: string, input: z.output<typeof Destination>): { settings: Record<string, unknown>; secretsSealed: string; signingSecret?: string } {
  const destination = (input.kind === 'webhook' ? { ...input, secret: input.secret ?? newSigningSecret() } : input) as ChannelDestination;
  const { settings, secrets } = splitDestination(destination);
  const signingSecret = input.kind === 'webhook' && !input.secret ? (destination as { secret: string }).secret : undefined;
  return { settings, secretsSealed: box.seal(JSON.stringify(secrets), channelSecretContext(channelId)), ...(signingSecret ? { signingSecret } : {}) };
}

export async function replaceSubscriptions(db: Db, channelId: string, rows: Awaited<ReturnType<typeof resolveSubscriptions>>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(notificationSubscriptions).where(eq(notificationSubscriptions.channelId, channelId));
    if (rows.length) await tx.insert(notificationSubscriptions).values(rows.map((r) => ({ ...r, channelId })));
  });
}

export function newChannelId(): string {
  return newId('ntc');
}

export async function presentChannel(db: Db, row: ChannelRow, scope: Scope) {
  const subs = await db
    .select({ app: apps.name, environment: notificationSubscriptions.environmentName, events: notificationSubscriptions.events })
    .from(notificationSubscriptions)
    .leftJoin(apps, eq(apps.id, notificationSubscriptions.appId))
    .where(eq(notificationSubscriptions.channelId, row.id))
    .orderBy(asc(notificationSubscriptions.id));
  return {
    id: row.id,
    project: scope?.project ?? null,
    name: row.name,
    kind: row.kind,
    enabled: row.enabled,
    // Settings hold each secret only masked (channel-destinations.ts).
    destination: { ...row.settings, kind: row.kind },
    subscriptions: subs.map((s) => ({ app: s.app, environment: s.environment, events: s.events })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
