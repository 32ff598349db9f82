// What still needs a retired key before it may be removed from the ring: stored values sealed
// under it, and open workflows whose history holds payloads encrypted under it (a worker that
// replays such a workflow must decode them). Closed workflows' histories are not counted: only
// the Web UI reads them, and a removed key leaves their payloads unreadable there (docs/secrets.md).
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Db } from '../db/client.js';
import { countByKey } from '../db/queries/sealed-fields.js';

const { History } = proto.temporal.api.history.v1;
const { DescribeScheduleResponse } = proto.temporal.api.workflowservice.v1;

/** Stored values sealed under `keyId`; values from before key ids (v1) count for every master key (mk…). */
export async function valuesUnderKey(db: Db, keyId: string): Promise<number> {
  const counts = await countByKey(db);
  return (counts[keyId] ?? 0) + (keyId.startsWith('mk') ? (counts.v1 ?? 0) : 0);
}

/**
 * Open workflows whose history names `keyId` in a payload's metadata (the codec's key id), and
 * schedules whose action arguments do (a worker's start brings them up to date under the
 * current key). Read raw: nothing is decoded.
 */
export async function openWorkUnderKey(temporal: Client, keyId: string): Promise<string[]> {
  const needle = Buffer.from(keyId, 'utf8');
  const found: string[] = [];
  for await (const w of temporal.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    const history = await temporal.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    if (Buffer.from(History.encode(history).finish()).includes(needle)) found.push(`workflow ${w.workflowId}`);
  }
  for await (const s of temporal.schedule.list()) {
    const raw = await temporal.workflowService.describeSchedule({ namespace: temporal.options.namespace, scheduleId: s.scheduleId });
    if (Buffer.from(DescribeScheduleResponse.encode(raw).finish()).includes(needle)) found.push(`schedule ${s.scheduleId}`);
  }
  return found;
}
