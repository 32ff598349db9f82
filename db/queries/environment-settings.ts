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

/** The effective settings of an environment, each with where it came from. */
export async function effectiveSettings(db: Db, environmentId: string, installationWatchSeconds?: number): Promise<EnvironmentSettings> {
  const chain = await environmentChain(db, environmentId);
  const self = chain[0];
  if (!self) throw permanentFailure('NotFound', `environment ${environmentId} no longer exists`);
  const [app] = await db.select().from(apps).where(eq(apps.id, self.appId));
  if (!app) throw permanentFailure('NotFound', `app ${self.appId} no longer exists`);
  return resolveSettings(
    chain.map((e) => ({ name: e.name, own: e })),
    app,
    installationWatchSeconds,
  );
}
