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
}

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
