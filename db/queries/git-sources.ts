import { asc, eq } from 'drizzle-orm';
import type { DeployRule } from '../../src/domain/deploy-rules.js';
import type { Db } from '../client.js';
import { deployRules, gitSources } from '../schema/index.js';

export type GitSourceRow = typeof gitSources.$inferSelect;
export type DeployRuleRow = typeof deployRules.$inferSelect;

export async function getGitSource(db: Db, appId: string): Promise<GitSourceRow | undefined> {
  const [row] = await db.select().from(gitSources).where(eq(gitSources.appId, appId));
  return row;
}

/** An app's rules in order. */
export async function listRules(db: Db, appId: string): Promise<DeployRule[]> {
  const rows = await db.select().from(deployRules).where(eq(deployRules.appId, appId)).orderBy(asc(deployRules.position));
  return rows.map((r) => ({ id: r.id, event: r.event, pattern: r.pattern, base: r.base, paths: r.paths ?? null, environment: r.environment }));
}
