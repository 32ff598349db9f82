// The one check every variable change and every deploy passes before anything is stored or
// queued: references resolve (no cycle, nothing unset) and the app's variable schema holds, for
// the environment a deploy goes to, or for every environment a change reaches. A refusal is one
// 400 naming each key; a change checked inside its transaction rolls back whole.
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { describeVariableIssues, variableIssues } from '../db/queries/variable-issues.js';
import type { VariableSite } from '../db/queries/variables.js';
import type { AppRow } from '../db/queries/apps.js';
import type { EnvironmentRow } from '../db/queries/environments.js';
import { basisOf, type EnvironmentBasis } from '../db/queries/environment-settings.js';
import { apps, environments } from '../db/schema/index.js';
import type { Config } from '../src/config.js';
import type { VariableValue } from '../src/domain/variable-layers.js';
import type { SecretBox } from '../src/secrets/secret-box.js';
import { invalid, type Issue } from './errors.js';

export const variableSite = (config: Config): VariableSite => ({ appsDomain: config.appsDomain, traefikPort: config.traefik.port });

type AppSchema = Pick<typeof apps.$inferSelect, 'name' | 'variableSchema'>;

/** What is wrong with one environment's variables (with a deploy's overrides, when given), as API issues. */
export async function environmentIssues(
  db: Db,
  box: SecretBox,
  site: VariableSite,
  app: AppSchema,
  env: { id: string; name: string },
  overrides?: Record<string, VariableValue>,
  basis?: EnvironmentBasis,
): Promise<Issue[]> {
  return (await variableIssues(db, box, site, app, env.id, overrides, basis)).map((e) => ({ path: `variables.${e.key}`, message: `${app.name}/${env.name}: ${e.message}` }));
}

export function refusal(issues: Issue[]) {
  return invalid(describeVariableIssues(issues.map((i) => ({ key: i.path.replace(/^variables\./, ''), message: i.message }))), issues);
}

/** Refuses a deploy whose variables (with its overrides) do not resolve or break the app's schema. */
export async function assertDeployVariables(db: Db, box: SecretBox, site: VariableSite, app: AppRow, env: EnvironmentRow, overrides: Record<string, VariableValue>) {
  // The route has just read the environment and its app: neither is read again.
  const issues = await environmentIssues(db, box, site, app, env, overrides, await basisOf(db, env, app));
  if (issues.length) throw refusal(issues);
}

/**
 * Refuses a change (run inside its transaction, with the change made) that leaves any of these
 * apps' environments unresolved or outside its schema. Untrusted previews are checked too: they
 * are refused secrets when they run, not here.
 */
export async function assertAppsVariables(tx: Db, box: SecretBox, site: VariableSite, appIds: string[]) {
  if (appIds.length === 0) return;
  const rows = await tx
    .select({ env: { id: environments.id, name: environments.name }, app: { name: apps.name, variableSchema: apps.variableSchema } })
    .from(environments)
    .innerJoin(apps, eq(apps.id, environments.appId))
    .where(inArray(environments.appId, appIds));
  const issues: Issue[] = [];
  for (const row of rows) issues.push(...(await environmentIssues(tx, box, site, row.app, row.env)));
  if (issues.length) throw refusal(issues);
}

/** The apps of a project, for a change to its shared variables. */
export async function projectAppIds(db: Db, projectId: string): Promise<string[]> {
  return (await db.select({ id: apps.id }).from(apps).where(eq(apps.projectId, projectId))).map((r) => r.id);
}
