// Finding who a request is: a session cookie or an API token, by the SHA-256 of the secret, with
// its user in the same query. Last-use times are written at most once a minute per credential,
// so authentication is a single read on almost every request.
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { apiTokens, sessions, users } from '../schema/index.js';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;

const TOUCH_EVERY_MS = 60_000;

export async function findSessionByHash(db: Db, tokenHash: string): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  const [row] = await db.select({ session: sessions, user: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.tokenHash, tokenHash));
  return row;
}

export async function findApiTokenByHash(db: Db, tokenHash: string): Promise<{ token: ApiTokenRow; user: UserRow } | undefined> {
  const [row] = await db.select({ token: apiTokens, user: users }).from(apiTokens).innerJoin(users, eq(users.id, apiTokens.userId)).where(eq(apiTokens.tokenHash, tokenHash));
  return row;
}

export function needsTouch(last: Date | null, now: number): boolean {
  return last === null || now - last.getTime() >= TOUCH_EVERY_MS;
}

export async function touchSession(db: Db, id: string): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.id, id));
}

export async function touchApiToken(db: Db, id: string): Promise<void> {
  await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, id));
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, id));
}

/** "Log out everywhere": every session of the user, and optionally its API tokens too. */
export async function endUserSessions(db: Db, userId: string): Promise<number> {
  const gone = await db.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  return gone.length;
}

export async function revokeUserTokens(db: Db, userId: string): Promise<number> {
  const gone = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  return gone.length;
}

/** Sessions past their absolute expiry are of no use to anyone. */
export async function deleteExpiredSessions(db: Db): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, sql`now()`));
}

export async function insertSession(db: Db, session: typeof sessions.$inferInsert): Promise<SessionRow> {
  const [row] = await db.insert(sessions).values(session).returning();
  return row as SessionRow;
}
