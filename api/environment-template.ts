// A new environment made from another of the same app: its settings (but domains, which are
// one environment's own) and its own variables. Secret values are opened and sealed again for
// the new row — they never leave the process, and a sealed value opens only where it lives.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { EnvironmentRow } from '../db/queries/environments.js';
import { variableSecretContext } from '../db/queries/variables.js';
import { environmentVariables } from '../db/schema/index.js';
import { INHERITED_SETTINGS } from '../src/domain/environment-settings.js';
import type { SecretBox } from '../src/secrets/secret-box.js';

/** Settings an environment made `from` another copies, unless the request gives them. */
export const TEMPLATE_SETTINGS = [...INHERITED_SETTINGS, 'canary'] as const;

type Settings = { [K in (typeof TEMPLATE_SETTINGS)[number]]?: EnvironmentRow[K] | undefined };

/** The template's settings, with those the request named explicitly (in `given`) kept. */
export function templateSettings<T extends Settings>(input: T, template: EnvironmentRow, given: Record<string, unknown>): T {
  const out = { ...input };
  for (const key of TEMPLATE_SETTINGS) {
    if (!(key in given)) (out as Settings)[key] = template[key] as never;
  }
  return out;
}

/** Copies the template's own variables to the new environment, inside the caller's transaction. */
export async function copyVariables(tx: Db, box: SecretBox, templateId: string, targetId: string): Promise<void> {
  const rows = await tx.select().from(environmentVariables).where(eq(environmentVariables.environmentId, templateId));
  if (rows.length === 0) return;
  await tx.insert(environmentVariables).values(
    rows.map((r) => ({
      environmentId: targetId,
      key: r.key,
      secret: r.secret,
      value: r.secret ? box.seal(box.open(r.value, variableSecretContext(templateId, r.key)), variableSecretContext(targetId, r.key)) : r.value,
    })),
  );
}
