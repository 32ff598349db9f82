// What a workflow is stuck on, as text for a test's failure message: its pending workflow task
// and activities (attempts, last failures) and the workflow tasks its history says failed or
// timed out, and with a failed one the history's shape (each event's type and what it names).
// A test that waits on a workflow after a crash gives this when the wait times out,
// so a rare failure says which of them held the workflow.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { EventType } = proto.temporal.api.enums.v1;

/** One event as `id type name`: the activity, child workflow, marker or signal it names. */
function eventLine(e: proto.temporal.api.history.v1.IHistoryEvent): string {
  const name =
    e.activityTaskScheduledEventAttributes?.activityType?.name ??
    e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name ??
    e.markerRecordedEventAttributes?.markerName ??
    e.workflowExecutionSignaledEventAttributes?.signalName ??
    '';
  return `  ${String(e.eventId)} ${EventType[e.eventType ?? 0] ?? String(e.eventType)} ${name}`.trimEnd();
}

export async function workflowTrouble(client: Client, workflowId: string): Promise<string> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    const { raw, status } = await handle.describe();
    const task = raw.pendingWorkflowTask;
    const lines = [`workflow ${workflowId}: ${status.name}`];
    if (task) lines.push(`pending workflow task: state ${String(task.state)}, attempt ${task.attempt ?? 1}`);
    for (const a of raw.pendingActivities ?? []) {
      lines.push(`pending activity ${a.activityType?.name ?? '?'}: state ${String(a.state)}, attempt ${a.attempt ?? 1}${a.lastFailure?.message ? `, last failure: ${a.lastFailure.message}` : ''}`);
    }
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    for (const e of events) {
      const failed = e.workflowTaskFailedEventAttributes;
      if (failed) lines.push(`event ${String(e.eventId)}: workflow task failed (cause ${String(failed.cause)}): ${failed.failure?.message ?? ''}`);
      const timedOut = e.workflowTaskTimedOutEventAttributes;
      if (timedOut) lines.push(`event ${String(e.eventId)}: workflow task timed out (${String(timedOut.timeoutType)})`);
    }
    lines.push(`history: ${events.length} events`);
    // A failed workflow task (a nondeterminism, say) is read against the history's shape.
    if (events.some((e) => e.workflowTaskFailedEventAttributes)) lines.push(...events.map(eventLine));
    return lines.join('\n');
  } catch (err) {
    return `describing ${workflowId} failed: ${String(err)}`;
  }
}
