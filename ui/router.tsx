// Paths under /ui are the pages; links change the path with the History API (no page load), and
// the back button works. A route is a pattern like /apps/:app; its parameters go to the page.
import { useEffect, useState } from 'hono/jsx/dom';
import type { Child } from 'hono/jsx/dom';

export const BASE = '/ui';

type Listener = () => void;
const listeners = new Set<Listener>();
const leaving = new Set<Listener>();

/**
 * Runs `stop` when the reader leaves the page (another path). Open streams are closed here as
 * well as on unmount: a browser allows six connections per origin, and a stream left open by a
 * page no longer shown would soon hold them all.
 */
export function onLeave(stop: Listener): () => void {
  leaving.add(stop);
  return () => void leaving.delete(stop);
}

function changed(): void {
  for (const stop of [...leaving]) stop();
  leaving.clear();
  for (const l of listeners) l();
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = to.startsWith(BASE) ? to : `${BASE}${to}`;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  changed();
  window.scrollTo(0, 0);
}

addEventListener('popstate', changed);

/** The current path without /ui, and its query. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const read = () => ({ path: location.pathname.slice(BASE.length) || '/', query: new URLSearchParams(location.search) });
  const [where, setWhere] = useState(read);
  useEffect(() => {
    const l = () => setWhere(read());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return where;
}

/** Matches /apps/:app against /apps/web → { app: 'web' }, or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i] as string;
    const seg = decodeURIComponent(s[i] as string);
    if (part.startsWith(':')) params[part.slice(1)] = seg;
    else if (part !== seg) return null;
  }
  return params;
}

/** An <a> with a real href (so it opens in a new tab, and keyboards and screen readers know it) that navigates in place. */
export function Link(props: { to: string; children?: Child; class?: string; 'aria-current'?: 'page' }) {
  const href = `${BASE}${props.to}`;
  return (
    <a
      href={href}
      class={props.class}
      aria-current={props['aria-current']}
      onClick={(e: MouseEvent) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
