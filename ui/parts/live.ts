// Live data by Server-Sent Events, never polling: the overview listens for "changed" and reads
// itself again; a deployment page follows its deployment's own stream (src/client's follower,
// which reconnects with Last-Event-ID like the CLI does). Every page shares one overview
// stream, closed when the page is left.
import { useEffect } from 'hono/jsx/dom';
import { onLeave } from '../router.js';

type Listener = () => void;
const subscribers = new Set<Listener>();
let source: EventSource | null = null;

function open(): void {
  if (source) return;
  source = new EventSource('/api/v1/overview/events');
  let first = true;
  source.addEventListener('changed', () => {
    // The first event says only "connected": the page has just read the overview.
    if (first) first = false;
    else for (const s of subscribers) s();
  });
}

function close(): void {
  source?.close();
  source = null;
  subscribers.clear();
}

/** Calls onChange for each `changed` event; EventSource reconnects by itself when the stream ends. */
export function useOverviewEvents(onChange: Listener): void {
  useEffect(() => {
    subscribers.add(onChange);
    open();
    const forget = onLeave(close);
    return () => {
      subscribers.delete(onChange);
      if (subscribers.size === 0) close();
      forget();
    };
  }, []);
}
