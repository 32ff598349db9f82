// What an app runs with: pure types and defaults shared by the API, activities and workflows.

export interface HealthCheck {
  /** HTTP path probed on each replica, e.g. "/healthz". */
  path: string;
  expectedStatus: number;
  /** Time between probes once the first answer came; the first probes ramp up to it. */
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive good answers needed to pass. */
  successThreshold: number;
  /** Consecutive bad answers, after the start period, that fail the gate. */
  failureThreshold: number;
  /** Failures in this window after start do not count. */
  startPeriodMs: number;
}

export interface ResourceLimits {
  memoryMb?: number | undefined;
  cpus?: number | undefined;
}

/** The runtime settings a release snapshots from its app. */
export interface ReleaseConfig {
  port: number;
  command: string[] | null;
  args: string[] | null;
  healthCheck: HealthCheck;
  resources: ResourceLimits;
  replicas: number;
  /** Where the containers' output goes (absent in releases made before the setting: the default). */
  logDriver?: LogDriver | null;
}

/** Docker's built-in logging drivers an app may choose, to ship its logs elsewhere. */
export const LOG_DRIVERS = ['json-file', 'local', 'journald', 'syslog', 'fluentd', 'gelf', 'awslogs', 'splunk', 'gcplogs', 'logentries', 'none'] as const;

/** A container's logging driver and its options (Docker's --log-driver / --log-opt). */
export interface LogDriver {
  type: (typeof LOG_DRIVERS)[number];
  options: Record<string, string>;
}

/**
 * Berth's default: json-file, rotated, so `docker logs` (and Berth's app logs) read it and a
 * chatty app cannot fill the disk. With any other driver the engine still keeps a local copy
 * for reading (Docker's dual logging, 20.10+), except with "none".
 */
export const DEFAULT_LOG_DRIVER: LogDriver = { type: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } };

export const DEFAULT_HEALTH_CHECK: HealthCheck = {
  path: '/',
  expectedStatus: 200,
  intervalMs: 1000,
  timeoutMs: 2000,
  successThreshold: 1,
  failureThreshold: 3,
  startPeriodMs: 30_000,
};

export const DEFAULT_RETENTION = 5;
export const DEFAULT_DRAIN_SECONDS = 2;

/** Upper bound of a health gate: the start period plus every probe the policy allows. */
export function healthGateBudgetMs(check: HealthCheck): number {
  const perProbe = check.intervalMs + check.timeoutMs;
  return check.startPeriodMs + perProbe * (check.failureThreshold + check.successThreshold + 1);
}
