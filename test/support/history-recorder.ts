// Writes the history of every workflow a test's Berth ran into a directory (RECORD_HISTORIES_DIR
// set when the tests run), named <type>--<workflow id>.json: where the recorded histories under
// test/fixtures/histories come from when new kinds of run are added to them. Payloads are
// written decoded (plain JSON): each test Berth encrypts under a key of its own, which a later
// replay would not have.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PayloadCodec } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { Client } from '@temporalio/client';

type JsonPayload = { metadata: Record<string, string>; data?: string };

const isPayload = (v: unknown): v is JsonPayload => typeof v === 'object' && v !== null && 'metadata' in v && typeof (v as JsonPayload).metadata === 'object';

/** Decodes, in place, every payload of a history in its JSON form. */
async function decodePayloads(node: unknown, codecs: PayloadCodec[]): Promise<void> {
  if (Array.isArray(node)) {
    for (const item of node) await decodePayloads(item, codecs);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  if (isPayload(node) && node.metadata.encoding && Buffer.from(node.metadata.encoding, 'base64').toString() === 'binary/encrypted') {
    let payload = { metadata: Object.fromEntries(Object.entries(node.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])), data: Buffer.from(node.data ?? '', 'base64') };
    for (const codec of [...codecs].reverse()) [payload] = (await codec.decode([payload])) as [typeof payload];
    node.metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v as Uint8Array).toString('base64')]));
    node.data = Buffer.from(payload.data ?? new Uint8Array()).toString('base64');
    return;
  }
  for (const value of Object.values(node)) await decodePayloads(value, codecs);
}

export async function recordHistories(temporal: Client, dir: string, codecs: PayloadCodec[] = []): Promise<number> {
  mkdirSync(dir, { recursive: true });
  let count = 0;
  for await (const info of temporal.workflow.list()) {
    const history = await temporal.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
    const name = `${info.type}--${info.workflowId}-${info.runId.slice(0, 8)}`.replace(/[^a-z0-9_-]/gi, '_');
    const json = JSON.parse(historyToJSON(history)) as unknown;
    await decodePayloads(json, codecs);
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(json));
    count++;
  }
  return count;
}
