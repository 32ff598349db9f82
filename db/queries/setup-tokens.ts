// Setup tokens: valid while unexpired and while no user exists; using one removes them all.
import { gt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { setupTokens } from '../schema/index.js';

export async function insertSetupToken(db: Db, tokenHash: string, validForMs: number): Promise<void> {
  await db.insert(setupTokens).values({ tokenHash, expiresAt: new Date(Date.now() + validForMs) });
}

export async function liveSetupTokenHashes(db: Db): Promise<string[]> {
  const rows = await db.select({ hash: setupTokens.tokenHash }).from(setupTokens).where(gt(setupTokens.expiresAt, sql`now()`));
  return rows.map((r) => r.hash);
}

export async function clearSetupTokens(db: Db): Promise<void> {
  await db.delete(setupTokens);
}
