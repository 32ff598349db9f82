// Telling "the Docker engine is away" from a refusal. A restarting dockerd first closes its
// socket (new connections: ENOENT or ECONNREFUSED), answers a while longer on connections it
// already had, then stops every container and containerd; calls in flight end in a reset
// connection or a 500 naming containerd or the shutdown. None of that is the step's outcome: the
// step runs again once the engine is back (engine-guard.ts). A refusal (404, 409, a 500 while the
// engine answers) is an outcome and goes to the caller as it is.
import { pingDocker } from '../../src/probes.js';
import { statusCode } from './docker-errors.js';

/** Socket errors that mean nobody (or nobody any more) answers on the engine's socket. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ENOTCONN', 'ECONNABORTED']);

/**
 * What the engine says in a 5xx while it, or containerd under it (on a unix socket), is going
 * away. A registry refusing a pull ("dial tcp …: connection refused") is not among them.
 */
const SHUTDOWN_MESSAGE =
  /shutting down|transport is closing|dial unix [^ ]+: connect: (connection refused|no such file)|ttrpc: closed|containerd.*(not running|unavailable|closed)|cannot connect to the docker daemon|daemon is not running|context canceled/i;

/** How long a "are you there?" may take before the engine counts as away. */
const ANSWER_TIMEOUT_MS = 1000;

/**
 * Thrown by Docker code when what it saw cannot be trusted as the step's result because the
 * engine went away under it: a container stopped by the engine's shutdown, restarted on another
 * port, or gone with the daemon.
 */
export class EngineAwayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineAwayError';
  }
}

/** True when `err` itself says the engine is away (no second look needed). */
export function isEngineAway(err: unknown): boolean {
  if (err instanceof EngineAwayError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { code, syscall, message } = err as { code?: unknown; syscall?: unknown; message?: unknown };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) {
    // ENOENT is a missing socket only when connecting; a missing file elsewhere is a refusal.
    return code !== 'ENOENT' || syscall === 'connect';
  }
  const text = typeof message === 'string' ? message : '';
  if (text === 'socket hang up') return true;
  const status = statusCode(err);
  return status !== undefined && status >= 500 && SHUTDOWN_MESSAGE.test(text);
}

/**
 * Whether the engine answers a ping on a connection of its own: connections opened before a
 * shutdown keep being served for a while, so only a fresh one tells that it is going away.
 */
export async function engineAnswers(socketPath: string): Promise<boolean> {
  return pingDocker(socketPath, ANSWER_TIMEOUT_MS).then(
    () => true,
    () => false,
  );
}

/**
 * A start refused because containerd still holds a task (or the container object: "id already in
 * use", once the engine's own clean-up of it failed) for the container: the engine restarted
 * while it was starting it and lost track of it. That container will never start again.
 */
export function isLeftoverTask(err: unknown): boolean {
  const status = statusCode(err);
  return status !== undefined && status >= 500 && /task [0-9a-f]+: already exists|\bid already in use/i.test((err as Error).message ?? '');
}

/** True when `err` is the engine going away: by itself, or a 5xx while no fresh ping is answered. */
export async function isEngineAwayNow(err: unknown, socketPath: string): Promise<boolean> {
  if (isEngineAway(err)) return true;
  const status = statusCode(err);
  return status !== undefined && status >= 500 && !(await engineAnswers(socketPath));
}

/**
 * Before a verdict drawn from a container's state (it exited, it is not running), makes sure the
 * engine is still there: a container stopped by the engine's own shutdown is not the app failing.
 */
export async function confirmEngineHere(socketPath: string, what: string): Promise<void> {
  if (!(await engineAnswers(socketPath))) throw new EngineAwayError(`the Docker engine went away (${what})`);
}

const phaseOfError = new WeakMap<object, string>();

/** Runs one phase of a step; what it throws remembers the phase, so the log can say where the engine went. */
export async function duringPhase<T>(phase: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (typeof err === 'object' && err !== null && !phaseOfError.has(err)) phaseOfError.set(err, phase);
    throw err;
  }
}

/** The phase `err` was thrown in (see duringPhase), if it was marked. */
export function phaseOf(err: unknown): string | null {
  return typeof err === 'object' && err !== null ? (phaseOfError.get(err) ?? null) : null;
}
