// One-time `state` values for GitHub's redirects: issued before sending a person to GitHub,
// consumed once when GitHub sends them back. A callback whose state is unknown, expired, used
// or issued for another step is refused (CSRF: nobody can make Berth take a code or an
// installation it did not ask for).
import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { githubStates } from '../../db/schema/index.js';

export type StatePurpose = 'manifest' | 'install';
export const STATE_TTL_MS = 60 * 60_000;

export async function issueState(db: Db, purpose: StatePurpose): Promise<string> {
  const state = randomBytes(24).toString('base64url');
  await db.insert(githubStates).values({ state, purpose, expiresAt: new Date(Date.now() + STATE_TTL_MS) });
  return state;
}

/**
 * True once for a state issued for `purpose` and not expired; false ever after. Any use spends
 * the state, a refused one (brought to the wrong callback) too.
 */
export async function consumeState(db: Db, state: string | undefined, purpose: StatePurpose): Promise<boolean> {
  if (!state || state.length > 100) return false;
  const used = await db
    .update(githubStates)
    .set({ usedAt: sql`now()` })
    .where(and(eq(githubStates.state, state), isNull(githubStates.usedAt), gt(githubStates.expiresAt, sql`now()`)))
    .returning({ purpose: githubStates.purpose });
  return used[0]?.purpose === purpose;
}
