// The settings an environment deploys with: its own, its parent chain's, the app's, Berth's
// defaults (src/domain/environment-settings.ts). Read by the API (shown with their source) and
// by every path that builds a deploy request or a release, so what runs is what is shown.
import { eq } from 'drizzle-orm';
import { resolveSettings, type EffectiveSettings, type SettingKey, type SettingSource } from '../../src/domain/environment-settings.js';
import { permanentFailure } from '../../src/errors.js';
import type { Db } from '../client.js';
import { apps, environments } from '../schema/index.js';
import type { EnvironmentRow } from './environments.js';

/** Longest parent chain followed; deeper chains are cut (and cycles cannot loop). */
export const MAX_INHERITANCE_DEPTH = 8;

/** The environment, then its parent, its parent's parent … (at most MAX_INHERITANCE_DEPTH). */
export async function environmentChain(db: Db, environmentId: string): Promise<EnvironmentRow[]> {
  const chain: EnvironmentRow[] = [];
  let id: string | null = environmentId;
  while (id && chain.length < MAX_INHERITANCE_DEPTH && !chain.some((e) => e.id === id)) {
    const [env]: EnvironmentRow[] = await db.select().from(environments).where(eq(environments.id, id));
    if (!env) break;
    chain.push(env);
    id = env.parentId;
  }
  return chain;
}

export interface EnvironmentSettings {
  settings: EffectiveSettings;
  sources: Record<SettingKey, SettingSource>;
}

/** An environment's parent chain and its app: what its settings and its variables both start from. */
export interface EnvironmentBasis {
  chain: EnvironmentRow[];
  app: typeof apps.$inferSelect;
}

/**
 * Reads an environment's basis once, for a caller that derives both its settings and its
 * variables (a release's draft): each read is a query on every deploy's path. With the app's id
 * known, the app is read beside the chain.
 */
export async function environmentBasis(db: Db, environmentId: string, appId?: string): Promise<EnvironmentBasis> {
  const [chain, known] = await Promise.all([environmentChain(db, environmentId), appId ? db.select().from(apps).where(eq(apps.id, appId)) : null]);
  const self = chain[0];
  if (!self) throw permanentFailure('NotFound', `environment ${environmentId} no longer exists`);
  const [app] = known && known[0]?.id === self.appId ? known : await db.select().from(apps).where(eq(apps.id, self.appId));
  if (!app) throw permanentFailure('NotFound', `app ${self.appId} no longer exists`);
  return { chain, app };
}

/**
 * The basis of an environment the caller has just read with its app: no query unless it
 * inherits from a parent (then the chain is read).
 */
export async function basisOf(db: Db, env: EnvironmentRow, app: typeof apps.$inferSelect): Promise<EnvironmentBasis> {
  return { chain: env.parentId ? await environmentChain(db, env.id) : [env], app };
}

/** The effective settings of an environment, each with where it came from (from its basis when the caller has it). */
export async function effectiveSettings(db: Db, environmentId: string, installationWatchSeconds?: number, basis?: EnvironmentBasis): Promise<EnvironmentSettings> {
  const { chain, app } = basis ?? (await environmentBasis(db, environmentId));
  return resolveSettings(
    chain.map((e) => ({ name: e.name, own: e })),
    app,
    installationWatchSeconds,
  );
}
