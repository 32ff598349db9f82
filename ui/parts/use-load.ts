// Loading what a page shows: the data, or the API's error, and a way to load it again after a
// change. A newer load wins over an older one still in flight.
import { useCallback, useEffect, useRef, useState } from 'hono/jsx/dom';
import { describeError } from '../api.js';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  status: number | null;
  reload(): void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; status: number | null }>({ data: null, error: null, status: null });
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    load().then(
      (data) => mine === seq.current && setState({ data, error: null, status: 200 }),
      (err: unknown) => mine === seq.current && setState({ data: null, error: describeError(err), status: (err as { status?: number }).status ?? null }),
    );
  }, deps);
  useEffect(run, deps);
  return { ...state, reload: run };
}
