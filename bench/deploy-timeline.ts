// Where a deploy's time goes between Berth's phases, read from Temporal's histories: the lane's
// events from the request to the child's start, then the deploy's own events until its route
// switch completed, each at its time after the API request was sent. Medians over the runs show
// the round trips (workflow tasks, activity dispatch) that the phases' own figures hide.
import type { Client } from '@temporalio/client';
import { deployWorkflowId, laneWorkflowId } from '../src/domain/workflow-ids.js';
import { localActivityMarker } from '../test/support/local-activities.js';

interface HistoryEvent {
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  eventType?: number | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
  startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string | null } | null;
  markerRecordedEventAttributes?: { markerName?: string | null; details?: Record<string, { payloads?: { data?: Uint8Array | null }[] | null }> | null } | null;
  eventId?: unknown;
}

const at = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
const msOf = (t: { seconds?: unknown; nanos?: number } | undefined) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : null);

/**
 * A local activity's marker: its type and when it was scheduled. Its end is not shown: the marker
 * is written with the task that completes after it.
 */
function localActivity(e: HistoryEvent): { type: string; scheduled: number | null } | null {
  const parsed = localActivityMarker(e);
  return parsed ? { type: parsed.activity_type ?? '?', scheduled: msOf(parsed.original_schedule_time) } : null;
}

/** A readable name for an event: its type, with the activity's name for activity events. */
function label(e: HistoryEvent, activityNames: Map<string, string>): string {
  const type = Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null);
  const kind = (type ?? 'event').replace(/EventAttributes$/, '');
  const scheduled = e.activityTaskStartedEventAttributes?.scheduledEventId ?? e.activityTaskCompletedEventAttributes?.scheduledEventId;
  if (e.activityTaskScheduledEventAttributes) return `${kind} ${e.activityTaskScheduledEventAttributes.activityType?.name ?? ''}`;
  if (scheduled != null) return `${kind} ${activityNames.get(String(scheduled)) ?? ''}`;
  return kind;
}

/** One deploy's points: [label, ms after the request was sent], labels made unique by their order. */
export async function deployTimeline(temporal: Client, sentAt: number, deploymentId: string, environmentId: string): Promise<[string, number][]> {
  const childId = deployWorkflowId(deploymentId);
  const lane = ((await temporal.workflow.getHandle(laneWorkflowId(environmentId)).fetchHistory()).events ?? []) as HistoryEvent[];
  const child = ((await temporal.workflow.getHandle(childId).fetchHistory()).events ?? []) as HistoryEvent[];
  const points: [string, number][] = [];
  const seen = new Map<string, number>();
  const point = (name: string, ms: number) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    points.push([n > 1 ? `${name} #${n}` : name, ms - sentAt]);
  };
  const add = (who: string, e: HistoryEvent, names: Map<string, string>) => {
    const la = localActivity(e);
    if (!la) return point(`${who} ${label(e, names)}`, at(e));
    if (la.scheduled !== null) point(`${who} local activity ${la.type} scheduled`, la.scheduled);
  };
  const namesOf = (events: HistoryEvent[]) =>
    new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name ?? '']));
  const started = lane.findIndex((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId === childId);
  const laneNames = namesOf(lane);
  for (const e of lane.slice(0, started + 1)) if (at(e) >= sentAt) add('lane', e, laneNames);
  const childNames = namesOf(child);
  for (const e of child) {
    add('deploy', e, childNames);
    if (e.activityTaskCompletedEventAttributes && childNames.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId)) === 'switchRoute') break;
  }
  return points;
}

/** The median time of each point over the runs (points present in at least half of them), in order. */
export function timelineMedians(runs: [string, number][][]): string {
  const all = new Map<string, number[]>();
  for (const run of runs) for (const [name, ms] of run) all.set(name, [...(all.get(name) ?? []), ms]);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const rows = [...all].filter(([, xs]) => xs.length * 2 >= runs.length).map(([name, xs]) => [name, median(xs)] as const);
  rows.sort((a, b) => a[1] - b[1]);
  let last = 0;
  return rows.map(([name, ms]) => {
    const line = `  ${ms.toFixed(1).padStart(7)} ms  (+${(ms - last).toFixed(1).padStart(5)})  ${name}`;
    last = ms;
    return line;
  }).join('\n');
}
