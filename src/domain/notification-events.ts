// What Berth tells people about, as data: the event types a channel can subscribe to and the
// one shape every event has on its way to a channel. Pure, so the API, the activities and the
// tests share it.

export const NOTIFICATION_EVENTS = [
  'deploy.queued',
  'deploy.started',
  'deploy.succeeded',
  'deploy.failed',
  'deploy.cancelled',
  /** A rollback deployment made an earlier release live again, or a deploy switched traffic back. */
  'deploy.rolled_back',
  'build.failed',
  /** Reconcile found a deployment past its deadline or waiting for a worker. */
  'deploy.stuck',
  /** Reconcile repaired drift (a dead container, a lost route, a stack service). */
  'reconcile.healed',
  /** A fork's pull request waits for someone to approve its preview. */
  'preview.approval_waiting',
  /** A certificate Traefik serves gets within the warning window of its expiry (renewals failing, or an upload to replace). */
  'certificate.expiring',
  /** The live release of an environment stopped answering its health check (after the failure threshold). */
  'health.lost',
  /** The live release answers its health check again after health.lost. */
  'health.regained',
  /** A container restarted BERTH_RESTART_LOOP_COUNT times within BERTH_RESTART_LOOP_SECONDS. */
  'container.restart_loop',
  /** The kernel killed a container for going over its memory limit. */
  'container.oom_killed',
  /** Free space on the Docker root fell below BERTH_DISK_CLEANUP_FREE_MB (instance-wide). */
  'disk.low',
  /** A secret key rotation re-sealed everything and retired the old keys (instance-wide). */
  'secrets.key_rotated',
  /** Sent only by the "send test" endpoint. */
  'test',
] as const;

export type NotificationEventType = (typeof NOTIFICATION_EVENTS)[number];

export type NotificationSeverity = 'info' | 'success' | 'warning' | 'error';

export interface NotificationEvent {
  type: NotificationEventType;
  /**
   * What makes the event unique (e.g. "dep_…:deploy.failed"): the same key always yields the
   * same message per channel, so an emitter that runs again sends nothing twice.
   */
  key: string;
  severity: NotificationSeverity;
  /** One line: "web/production: release 4 live". */
  title: string;
  text: string;
  projectId: string | null;
  appId: string | null;
  environmentId: string | null;
  /** Names and ids for the receivers (app, environment, deploymentId, release…). */
  facts: Record<string, string>;
  /** Where a person looks next (the deployment's page), when there is one. */
  link: string | null;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface Subscription {
  appId: string | null;
  environmentName: string | null;
  /** Event types, or ["*"] for all of them. */
  events: string[];
}

/** Does a subscription of a channel want this event? The test event goes only where it is sent. */
export function subscriptionMatches(s: Subscription, e: Pick<NotificationEvent, 'type' | 'appId' | 'facts'>): boolean {
  if (e.type === 'test') return false;
  if (s.appId !== null && s.appId !== e.appId) return false;
  if (s.environmentName !== null && s.environmentName !== e.facts.environment) return false;
  return s.events.includes('*') || s.events.includes(e.type);
}

export const SEVERITY_OF: Record<NotificationEventType, NotificationSeverity> = {
  'deploy.queued': 'info',
  'deploy.started': 'info',
  'deploy.succeeded': 'success',
  'deploy.failed': 'error',
  'deploy.cancelled': 'warning',
  'deploy.rolled_back': 'warning',
  'build.failed': 'error',
  'deploy.stuck': 'error',
  'reconcile.healed': 'warning',
  'certificate.expiring': 'warning',
  'preview.approval_waiting': 'info',
  'health.lost': 'error',
  'health.regained': 'success',
  'container.restart_loop': 'error',
  'container.oom_killed': 'error',
  'disk.low': 'warning',
  'secrets.key_rotated': 'info',
  test: 'info',
};
