// The image kind's verified "done" (the deploy skeleton's verify): Traefik's routers for every
// host name lead to the route's servers alone, and what runs there is the release — its
// containers made from the release's image, as many as the route has servers, answering where
// the route says. A Docker engine that restarted between the switch's confirmation and this
// check started them again on ports of its choosing (or left them stopped): committing then
// would leave a route to nothing. So the host is asked where they answer now (a refresh starts
// and gates the stopped ones), the route switches there, confirmed through Traefik, and the
// check runs again; replicas that did not move mean the failure is the release's own.
import { isCancellation, patched } from '@temporalio/workflow';
import type { Endpoint } from '../activities/docker/containers.js';
import type { HealthCheck } from '../src/domain/app-spec.js';
import { DOCKER, LAUNCH } from './activity-profiles.js';
import type { Deployment, LiveRelease } from './deployment-skeleton.js';

/** Marks histories whose verify follows replicas the engine moved after the switch; older ones failed (or committed). */
const VERIFY_FOLLOWS_ENGINE = 'verify-follows-engine';
/** Marks histories whose verify runs the routers' check and the image check side by side. */
const VERIFY_SIDE_BY_SIDE = 'verify-side-by-side';
/** Checks one verify makes: the first, and one per restart of the engine that moved the replicas. */
const CHECKS = 3;

/** What the switch was given: the replicas and how to gate and confirm them. */
export interface SwitchedTo {
  port: number;
  check: HealthCheck;
  endpoints: Endpoint[];
  /** Answers through Traefik, from the deployment, that confirm a switch. */
  confirmations: number;
}

/** A step's outcome, awaited without throwing (so a failure is not unhandled while the other step runs). */
type Settled<T> = { ok: true; value: T; failure?: undefined } | { ok: false; value?: undefined; failure: unknown };
async function settled<T>(step: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await step };
  } catch (err) {
    return { ok: false, failure: err };
  }
}
const unwrap = <T>(outcome: Settled<T>): T => {
  if (!outcome.ok) throw outcome.failure;
  return outcome.value;
};

/** Every server the route leads to is where a container of the release answers (more may run: retained ones of the same release). */
const answersThere = (where: string[], servers: string[]) => servers.every((s) => where.includes(s));

/** Returns what is live once verified (its servers, where they answer now). */
export async function verifyImageRelease(deploy: Deployment, live: LiveRelease, switched: SwitchedTo): Promise<LiveRelease> {
  const { request, phases, report, router, onHost } = deploy;
  const { deploymentId, environmentId, appId } = request;
  deploy.progress('verifying');
  let { endpoints } = switched;
  let servers = live.servers ?? [];
  let verifyReport = report(phases.next('verify'));
  for (let checks = 1; ; checks++) {
    // The routers' check records the phase's start; the image check runs on the host beside it
    // (both scheduled in one workflow task since VERIFY_SIDE_BY_SIDE; before, it followed).
    const sideBySide = patched(VERIFY_SIDE_BY_SIDE);
    const routes = settled(router.verifyRoutes({ report: verifyReport, environmentId, hosts: request.hosts, servers }));
    if (!sideBySide) unwrap(await routes);
    const image = await settled(onHost(DOCKER).verifyReleaseImage({ releaseId: live.id, servers: servers.length, port: switched.port }));
    // A route that does not lead there fails the verify first, as when the checks ran in turn.
    if (sideBySide) unwrap(await routes);
    if (!image.ok && isCancellation(image.failure)) throw image.failure;
    const failure = image.ok ? null : image.failure;
    const where = image.value?.servers;
    if (!failure && (where === undefined || answersThere(where, servers))) return { ...live, servers };
    if (checks >= CHECKS || !patched(VERIFY_FOLLOWS_ENGINE)) {
      if (failure) throw failure;
      return { ...live, servers };
    }
    const now = await onHost(LAUNCH).refreshEndpoints({ deploymentId, appId, environmentId, releaseId: live.id, port: switched.port, check: switched.check, endpoints });
    if (!now.moved) {
      // Not the engine's doing: a failure is the release's own, a mismatch Traefik did not see.
      if (failure) throw failure;
      return { ...live, servers };
    }
    endpoints = switched.endpoints = now.endpoints;
    servers = await switchTo(deploy, switched, endpoints);
    verifyReport = report([]);
  }
}

/** Switches the route to `endpoints`, confirmed through Traefik; returns its servers. */
async function switchTo(deploy: Deployment, switched: SwitchedTo, endpoints: Endpoint[], follow = false): Promise<string[]> {
  const { request, report, router } = deploy;
  const { check } = switched;
  const servers = endpoints.map((e) => e.url);
  await router.switchRoute({
    report: report([]),
    route: { environmentId: request.environmentId, deploymentId: request.deploymentId, hosts: request.hosts, servers, tls: request.tls },
    verify: { path: check.path, expectedStatus: check.expectedStatus, attempts: switched.confirmations, timeoutMs: check.timeoutMs },
    ...(follow ? { follow } : {}),
  });
  return servers;
}

/**
 * After a restart of the engine, once the release is live: its replicas where they answer now
 * (stopped ones started and gated), the route switched there when they moved. Says what it did.
 */
export async function followReplicas(deploy: Deployment, live: LiveRelease, switched: SwitchedTo): Promise<string> {
  const { deploymentId, environmentId, appId } = deploy.request;
  const now = await deploy.onHost(LAUNCH).refreshEndpoints({ deploymentId, appId, environmentId, releaseId: live.id, port: switched.port, check: switched.check, endpoints: switched.endpoints });
  if (!now.moved) return 'its replicas answer where the route leads';
  switched.endpoints = now.endpoints;
  await switchTo(deploy, switched, now.endpoints, true);
  return `the route follows its ${now.endpoints.length} replica(s) to where they answer now`;
}
