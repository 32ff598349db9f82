// What "nothing changed" means in a test: the row count of every table and the number of
// workflows in the test's namespace. The audit log is left out: recording a refused request is
// what it is for, not a change of state.
import { count } from 'drizzle-orm';
import * as schema from '../../db/schema/index.js';
import type { TestBerth } from './berth.js';

export async function snapshot(berth: TestBerth) {
  const db = berth.database.db;
  const tables = Object.entries(schema).filter(([name, t]) => typeof t === 'object' && t !== null && 'getSQL' in t && t !== schema.auditEvents && name !== 'auditEvents');
  const counts: Record<string, number> = {};
  for (const [name, table] of tables) {
    const [row] = await db.select({ n: count() }).from(table as typeof schema.projects);
    counts[name] = row?.n ?? 0;
  }
  let workflows = 0;
  for await (const _ of berth.temporal.workflow.list()) workflows++;
  return { counts, workflows };
}
