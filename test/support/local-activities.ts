// The local activities a workflow run recorded, read from its history: what a test checks when
// it asserts which path a workflow took, and what the benchmarks time (local activities leave a
// marker each, not events).
import type { Client } from '@temporalio/client';

/** The part of a history event a local activity's marker is read from. */
export interface MarkerEvent {
  markerRecordedEventAttributes?: { markerName?: string | null; details?: Record<string, { payloads?: { data?: Uint8Array | null }[] | null }> | null } | null;
}

/** What core recorded of a local activity: its type and when it was first scheduled. */
export interface LocalActivityMarker {
  activity_type?: string;
  original_schedule_time?: { seconds?: unknown; nanos?: number };
}

/** The local activity an event records; null for any other event. */
export function localActivityMarker(e: MarkerEvent): LocalActivityMarker | null {
  const marker = e.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return null;
  // Core writes the marker's data as plain JSON, not through the payload codec.
  const data = marker.details?.data?.payloads?.[0]?.data;
  return data ? (JSON.parse(Buffer.from(data).toString()) as LocalActivityMarker) : null;
}

/** The types of the local activities of a workflow's run (its latest when no run is named), in order. */
export async function localActivityTypes(temporal: Client, workflowId: string, runId?: string): Promise<string[]> {
  const history = await temporal.workflow.getHandle(workflowId, runId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const marker = localActivityMarker(e);
    return marker ? [marker.activity_type ?? '?'] : [];
  });
}
