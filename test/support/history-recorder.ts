// Writes the history of every workflow a test's Berth ran into a directory (RECORD_HISTORIES_DIR
// set when the tests run), named <type>--<workflow id>.json: where the recorded histories under
// test/fixtures/histories come from when new kinds of run are added to them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Client } from '@temporalio/client';

export async function recordHistories(temporal: Client, dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  let count = 0;
  for await (const info of temporal.workflow.list()) {
    const history = await temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    const name = `${info.type}--${info.workflowId}-${info.runId.slice(0, 8)}`.replace(/[^a-z0-9_-]/gi, '_');
    writeFileSync(join(dir, `${name}.json`), historyToJSON(history));
    count++;
  }
  return count;
}
