import { eq, inArray } from 'drizzle-orm';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { Db } from '../client.js';
import { environmentVariables, environments } from '../schema/index.js';

/** Longest parent chain followed; deeper chains are cut (and cycles cannot loop). */
const MAX_INHERITANCE_DEPTH = 8;

/** Where a secret variable's sealed value belongs: it opens only there. */
export const variableSecretContext = (environmentId: string, key: string) => `environment-variable:${environmentId}:${key}`;

export interface VariableSets {
  plain: Record<string, string>;
  /** Opened: keep them sealed wherever they are stored again. */
  secret: Record<string, string>;
}

/** The environment's variables over its parents' (nearest wins), secret ones opened. */
export async function resolveVariables(db: Db, environmentId: string, box: SecretBox): Promise<Record<string, string>> {
  const sets = await resolveVariableSets(db, environmentId, box);
  return { ...sets.plain, ...sets.secret };
}

/**
 * The same, kept apart by whether they are secret. An untrusted environment (a fork's
 * preview) gets no variable marked secret, its own or inherited.
 */
export async function resolveVariableSets(db: Db, environmentId: string, box: SecretBox): Promise<VariableSets> {
  const chain: string[] = [];
  let untrusted = false;
  let id: string | null = environmentId;
  while (id && chain.length < MAX_INHERITANCE_DEPTH && !chain.includes(id)) {
    chain.push(id);
    const [env]: { parentId: string | null; untrusted: boolean }[] = await db
      .select({ parentId: environments.parentId, untrusted: environments.untrusted })
      .from(environments)
      .where(eq(environments.id, id));
    if (chain.length === 1) untrusted = env?.untrusted ?? false;
    id = env?.parentId ?? null;
  }
  const rows = await db.select().from(environmentVariables).where(inArray(environmentVariables.environmentId, chain));
  const sets: VariableSets = { plain: {}, secret: {} };
  for (const envId of chain.reverse()) {
    for (const row of rows) {
      if (row.environmentId !== envId) continue;
      delete sets.plain[row.key];
      delete sets.secret[row.key];
      if (!row.secret) sets.plain[row.key] = row.value;
      else if (!untrusted) sets.secret[row.key] = box.open(row.value, variableSecretContext(envId, row.key));
    }
  }
  return sets;
}
