// Generic webhooks, their secrets sealed and bound to their row.
import { eq } from 'drizzle-orm';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { Db } from '../client.js';
import { genericWebhooks } from '../schema/index.js';

export type GenericWebhookRow = typeof genericWebhooks.$inferSelect;

export const genericWebhookContext = (id: string) => `generic-webhook:${id}:secret`;
const context = genericWebhookContext;

export const sealGenericSecret = (box: SecretBox, id: string, secret: string) => box.seal(secret, context(id));
export const openGenericSecret = (box: SecretBox, row: GenericWebhookRow) => box.open(row.secretSealed, context(row.id));

export async function getGenericWebhook(db: Db, id: string): Promise<GenericWebhookRow | undefined> {
  const [row] = await db.select().from(genericWebhooks).where(eq(genericWebhooks.id, id));
  return row;
}
