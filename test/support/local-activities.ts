// The local activities a workflow run recorded, read from its history: what a test checks when
// it asserts which path a workflow took (local activities leave a marker each, not events).
import type { Client } from '@temporalio/client';

/** The types of the local activities of a workflow's run (its latest when no run is named), in order. */
export async function localActivityTypes(temporal: Client, workflowId: string, runId?: string): Promise<string[]> {
  const history = await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
  const types: string[] = [];
  for (const e of history.events ?? []) {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') continue;
    // Core writes the marker's data as plain JSON, not through the payload codec.
    const data = marker.details?.data?.payloads?.[0]?.data;
    if (data) types.push((JSON.parse(Buffer.from(data).toString()) as { activity_type: string }).activity_type);
  }
  return types;
}
