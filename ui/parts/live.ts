// Live data by Server-Sent Events, never polling: the overview listens for "changed" and reads
// itself again; a deployment page follows its deployment's own stream (src/client's follower,
// which reconnects with Last-Event-ID like the CLI does).
import { useEffect } from 'hono/jsx/dom';

/** Calls onChange for each `changed` event; EventSource reconnects by itself when the stream ends. */
export function useOverviewEvents(onChange: () => void): void {
  useEffect(() => {
    const source = new EventSource('/api/v1/overview/events');
    let first = true;
    source.addEventListener('changed', () => {
      // The first event says only "connected": the page has just read the overview.
      if (first) first = false;
      else onChange();
    });
    return () => source.close();
  }, []);
}
