// The overview is asked for while the page is still finding out who is signed in (two requests
// at once, not one after the other): the first page draws one round trip sooner. Used once.
import { api, unwrap, type Schemas } from '../api.js';

let early: Promise<Schemas['Overview']> | null = null;

export function prefetchOverview(): void {
  early = unwrap(api.GET('/overview'));
  // Not signed in: the answer is a 401 nobody reads.
  early.catch(() => {});
}

export function overviewOnce(): Promise<Schemas['Overview']> {
  const taken = early;
  early = null;
  return taken ?? unwrap(api.GET('/overview'));
}
