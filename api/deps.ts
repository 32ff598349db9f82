// What the API is built from. createApp(deps) is the same for the server and the tests.
import type { Client } from '@temporalio/client';
import type Docker from 'dockerode';
import type { Db } from '../db/client.js';
import type { Config } from '../src/config.js';
import type { Principal } from '../src/domain/access.js';
import type { Logger } from '../src/logger.js';
import type { SecretBox } from '../src/secrets/secret-box.js';
import type { AccessGate } from './access/access-gate.js';
import type { DeliveryDispatcher } from './webhooks/dispatcher.js';

/** A dependency check for /healthz: resolves when the dependency answers. */
export type Probe = () => Promise<void>;

/** Finds who sent a request from its credentials (api/access/credential-check.ts). */
export interface Authenticator {
  /** `bearer` is the Authorization header's token, `session` the session cookie's value. */
  identify(credentials: { bearer: string | null; session: string | null }): Promise<Identified>;
}

export type Identified =
  | { kind: 'anonymous' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'principal'; principal: Principal; session: { id: string; csrfToken: string } | null };

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  log: Logger;
  probes: { database: Probe; temporal: Probe; docker: Probe; traefik: Probe };
  /**
   * The Docker engine, read only: the running containers' own logs (api/logs). The API changes
   * nothing in Docker; everything else it learns from the database and Temporal.
   */
  docker: Docker;
  /** Seals and opens stored secrets (GitHub App keys, build secrets). */
  secretBox: SecretBox;
  /** Starts intake workflows for stored webhook deliveries; without one they wait for a sweep. */
  dispatcher?: DeliveryDispatcher;
  /** Who a request is; the database-backed one unless a benchmark measures without it. */
  authenticator?: Authenticator;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    /** The caller's address (the socket's, or the forwarded one from a trusted proxy). */
    address: string | null;
    /** Set by authentication; null for an anonymous caller. */
    principal: Principal | null;
    /** Why credentials that were sent are not accepted (expired, revoked, unknown). */
    credentialProblem: string | null;
    /** The session a cookie-authenticated request belongs to. */
    session: { id: string; csrfToken: string } | null;
    /** The project the authorised operation acts on, for the audit log. */
    projectId: string | null;
    /** Who a sign-in or setup named, for the audit log of an anonymous request. */
    auditActorName: string | null;
    /** Decides declared access for this request (api/access/access-gate.ts). */
    gate: AccessGate;
  };
};
