// Histories as core writes them when a query is answered while a local activity's result is on
// its way to the workflow: the task's completion then carries the commands so far, the local
// activity's marker included, and what the workflow did on that result goes into the next
// task's completion. On replay the result comes one task earlier (core reads the marker ahead),
// so anything that depends on the task it runs in — a patch check — must not follow a local
// activity in the same task. These variants make that race's histories from a real run's.
import type { temporal } from '@temporalio/proto';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';

type History = temporal.api.history.v1.IHistory;
type JsonEvent = { eventId: string; eventType: string } & Record<string, unknown>;
type Attributes = Record<string, unknown> & { workflowTaskCompletedEventId?: string; scheduledEventId?: string; startedEventId?: string };

const attributesOf = (e: JsonEvent): Attributes | undefined => Object.entries(e).find(([k]) => k.endsWith('Attributes'))?.[1] as Attributes | undefined;
const isLocalActivityMarker = (e: JsonEvent) => (attributesOf(e) as { markerName?: string } | undefined)?.markerName === 'core_local_activity';

export interface SplitHistory {
  /** Which marker the completion was split after, for a failure's message. */
  at: string;
  history: History;
}

/**
 * One variant per local activity marker that has other commands after it in its task's
 * completion: those commands move into a new task of their own, right after the marker.
 */
export function localActivitySplits(history: History): SplitHistory[] {
  const events = (JSON.parse(historyToJSON(history)) as { events: JsonEvent[] }).events;
  const splits: SplitHistory[] = [];
  events.forEach((marker, i) => {
    if (!isLocalActivityMarker(marker)) return;
    const completedId = attributesOf(marker)?.workflowTaskCompletedEventId;
    const after = events.slice(i + 1).filter((e) => attributesOf(e)?.workflowTaskCompletedEventId === completedId);
    if (after.length === 0) return;
    splits.push({ at: `after event ${marker.eventId} (a local activity's marker)`, history: historyFromJSON({ events: splitAfter(events, i, completedId as string) }) });
  });
  return splits;
}

/** The events with a new task [scheduled, started, completed] after events[i]; renumbered. */
function splitAfter(source: JsonEvent[], i: number, completedId: string): JsonEvent[] {
  const events = structuredClone(source);
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const completed = byId.get(completedId) as JsonEvent;
  const done = attributesOf(completed) as Attributes;
  const task = [byId.get(done.scheduledEventId as string), byId.get(done.startedEventId as string), completed].map((e) => structuredClone(e) as JsonEvent);
  const [scheduled, started, newCompleted] = task as [JsonEvent, JsonEvent, JsonEvent];
  scheduled.eventId = 'split-scheduled';
  started.eventId = 'split-started';
  newCompleted.eventId = 'split-completed';
  (attributesOf(started) as Attributes).scheduledEventId = 'split-scheduled';
  Object.assign(attributesOf(newCompleted) as Attributes, { scheduledEventId: 'split-scheduled', startedEventId: 'split-started' });
  for (const e of events.slice(i + 1)) {
    const atts = attributesOf(e);
    if (atts?.workflowTaskCompletedEventId === completedId) atts.workflowTaskCompletedEventId = 'split-completed';
  }
  const reordered = [...events.slice(0, i + 1), ...task, ...events.slice(i + 1)];
  const ids = new Map(reordered.map((e, n) => [e.eventId, String(n + 1)]));
  const renumber = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(renumber);
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k.endsWith('EventId') && typeof v === 'string' && ids.has(v)) (node as Record<string, unknown>)[k] = ids.get(v);
      else renumber(v);
    }
  };
  for (const e of reordered) {
    renumber(attributesOf(e));
    e.eventId = ids.get(e.eventId) as string;
  }
  return reordered;
}
