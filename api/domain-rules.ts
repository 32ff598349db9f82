// An environment's domains are its own (assertDomainsFree), and each environment's pattern host
// name (environments.pattern_domain) is kept true to its parent chain's domains pattern
// (refreshPatternDomains). Every reader of an environment's hosts (routes, certificates,
// reconcile, deploys) reads that column, so the chain is walked here, once per change, inside
// the change's transaction: a pattern whose names clash or do not fit is refused and nothing
// changes.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { MAX_INHERITANCE_DEPTH } from '../db/queries/environment-settings.js';
import { environments } from '../db/schema/index.js';
import { environmentsClaiming } from '../db/queries/environments.js';
import { expandDomainPattern, HOST_NAME, hostDomains, inheritedDomainPattern } from '../src/domain/domain-pattern.js';
import { conflict, invalid } from './errors.js';

type Row = typeof environments.$inferSelect;

/** Names Berth derives from an environment's: a pull request's preview (pr-<n>.) and a blue-green release's (next.). */
const PREVIEW_PREFIX = /^(pr-\d+|next)\./;

/**
 * An environment's domains are its own: not under the apps domain (where every environment
 * already answers as <app>.<env>.<domain>, and another's host could be taken), not another
 * environment's, and not a preview's name of another's (pr-<n>.<its domain>, next.<its domain>) or
 * the other way.
 */
export async function assertDomainsFree(db: Db, appsDomain: string, domains: string[], exceptId?: string) {
  const inApps = domains.find((d) => d === appsDomain || d.endsWith(`.${appsDomain}`));
  if (inApps) throw invalid(`${inApps} is under the apps domain ${appsDomain}, where environments answer as <app>.<env>.${appsDomain}`, [{ path: 'domains', message: 'under the apps domain' }]);
  // Each domain with the preview prefix taken off: two domains clash when these meet.
  const base = (d: string) => d.replace(PREVIEW_PREFIX, '');
  const mine = new Set(domains.flatMap((d) => [d, base(d)]));
  // This environment's own previews carry pr-<n>.<its domains>: they are not others.
  const others = (await environmentsClaiming(db, (d) => mine.has(d) || mine.has(base(d)), exceptId)).filter((e) => !exceptId || e.parentId !== exceptId);
  const clash = others.find((e) => hostDomains(e).some((d) => domains.includes(d) || domains.includes(base(d)) || domains.some((m) => base(m) === d)));
  if (clash) throw conflict(`domain already used by environment ${clash.id} (or by its pull-request previews): ${domains.join(', ')}`);
}

/** The chain of `env` (itself first) among the app's environments. */
function chainOf(env: Row, byId: Map<string, Row>): Row[] {
  const chain: Row[] = [];
  for (let e: Row | undefined = env; e && chain.length < MAX_INHERITANCE_DEPTH && !chain.includes(e); e = e.parentId ? byId.get(e.parentId) : undefined) chain.push(e);
  return chain;
}

/**
 * Writes the pattern host name of every environment of the app whose chain's pattern gives a
 * different one than it has, checks each new name fits and is nobody else's, and returns the ids
 * of those that changed (their routes must be written again).
 */
export async function refreshPatternDomains(tx: Db, appId: string, appName: string, appsDomain: string): Promise<string[]> {
  const rows = await tx.select().from(environments).where(eq(environments.appId, appId));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const changed: { row: Row; next: string | null }[] = [];
  for (const row of rows) {
    const next = expandDomainPattern(inheritedDomainPattern(chainOf(row, byId)), appName, row.name);
    if (next !== row.patternDomain) changed.push({ row, next });
  }
  for (const { row, next } of changed) {
    if (next && !HOST_NAME.test(next)) {
      throw invalid(`the domains pattern gives environment ${row.name} the name ${next}, which is not a host name (a label over 63 characters?)`, [{ path: 'domainPattern', message: 'not a host name here' }]);
    }
    await tx.update(environments).set({ patternDomain: next }).where(eq(environments.id, row.id));
  }
  // Checked once all are written, so that names moving between the app's environments do not clash with their old selves.
  for (const { row, next } of changed) if (next) await assertDomainsFree(tx, appsDomain, [next], row.id);
  return changed.map((c) => c.row.id);
}
