import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { environmentVariables, environments } from '../schema/index.js';

/** Longest parent chain followed; deeper chains are cut (and cycles cannot loop). */
const MAX_INHERITANCE_DEPTH = 8;

/** The environment's variables over its parents' (nearest wins). */
export async function resolveVariables(db: Db, environmentId: string): Promise<Record<string, string>> {
  const chain: string[] = [];
  let id: string | null = environmentId;
  while (id && chain.length < MAX_INHERITANCE_DEPTH && !chain.includes(id)) {
    chain.push(id);
    const [env]: { parentId: string | null }[] = await db
      .select({ parentId: environments.parentId })
      .from(environments)
      .where(eq(environments.id, id));
    id = env?.parentId ?? null;
  }
  const result: Record<string, string> = {};
  for (const envId of chain.reverse()) {
    const rows = await db.select().from(environmentVariables).where(eq(environmentVariables.environmentId, envId));
    for (const row of rows) result[row.key] = row.value;
  }
  return result;
}
