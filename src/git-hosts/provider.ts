// The boundary every git host sits behind. Adding a host is one folder under src/git-hosts/
// (what its deliveries look like: verify, name, parse) and one under activities/git-hosts/
// (what Berth asks of it: report a commit status, fetch a commit). Intake and planning speak
// only Berth's events (GitEvent), never a host's payload.
import type { GitEvent, HandledEvent } from '../domain/github-events.js';

export type { GitEvent, HandledEvent };

/** Forges a connection can be made to (GitHub is reached through its App). */
export const GIT_HOST_KINDS = ['gitea', 'forgejo', 'gitlab', 'bitbucket'] as const;
export type GitHostKind = (typeof GIT_HOST_KINDS)[number];

/** A request's headers, by lower-case name. */
export type HeaderLookup = (name: string) => string | undefined;

/** stale: a signed timestamp outside the allowed window (a replay). */
export type Verification = 'ok' | 'missing' | 'mismatch' | 'stale';

/** The names a stored delivery carries, in Berth's vocabulary (so every host's rows read alike). */
export interface DeliveryNames {
  event: HandledEvent;
  action: string | null;
}

export interface GitHostProvider {
  /** The header the signature comes in (for messages). */
  readonly signatureHeader: string;
  /** Checks the signature over the exact bytes received, in constant time. */
  verify(raw: Uint8Array, header: HeaderLookup, secret: string): Verification;
  /** The host's id of this delivery (the de-duplication key), or null when absent or malformed. */
  deliveryId(header: HeaderLookup): string | null;
  /** The host's event name, or null when absent or malformed. */
  eventName(header: HeaderLookup): string | null;
  /** Berth's names for the delivery, or null when it is an event Berth does not act on. */
  classify(event: string, payload: unknown): DeliveryNames | null;
  /**
   * A delivery that carries several events (Bitbucket's push of several refs) as one payload per
   * event, each stored on its own; absent: one payload, one event.
   */
  split?(names: DeliveryNames, payload: object): object[];
  /** The delivery as Berth's event (throws when the payload lacks what the event needs). */
  parse(names: DeliveryNames, payload: unknown): GitEvent;
}
