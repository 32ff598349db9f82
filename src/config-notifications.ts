// Settings of notifications and of retention, read with the rest of the environment by
// config.ts: how deliveries are retried, the hosted services' endpoints (other base URLs for
// tests and proxies), and how long each kind of history is kept.
import { z } from 'zod';

const days = z.coerce.number({ error: 'expected a number of days' }).int('expected whole days').min(1).max(100 * 365);
const url = z.url({ error: 'expected an absolute URL' });

export const notificationEnv = {
  BERTH_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  BERTH_NOTIFY_RETRY_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(10).max(3_600_000).default(2000),
  BERTH_NOTIFY_MAX_RETRY_MS: z.coerce.number({ error: 'expected milliseconds' }).int().min(10).max(86_400_000).default(300_000),
  BERTH_TELEGRAM_API_URL: url.default('https://api.telegram.org'),
  BERTH_PAGERDUTY_EVENTS_URL: url.default('https://events.pagerduty.com/v2/enqueue'),
  BERTH_RETENTION_INTERVAL_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(60).max(7 * 86_400).default(3600),
  BERTH_RETAIN_DEPLOYMENT_LOGS_DAYS: days.default(90),
  BERTH_RETAIN_RECONCILE_EVENTS_DAYS: days.default(30),
  BERTH_RETAIN_WEBHOOK_DELIVERIES_DAYS: days.default(30),
  BERTH_RETAIN_NOTIFICATIONS_DAYS: days.default(30),
  BERTH_CERT_WARN_DAYS: z.coerce.number({ error: 'expected a number of days' }).int('expected whole days').min(1).max(89).default(21),
  BERTH_CERT_CHECK_INTERVAL_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(60).max(7 * 86_400).default(6 * 3600),
  BERTH_HEALTH_WATCH_SECONDS: z.coerce.number({ error: 'expected seconds (0: no watch)' }).int().min(0).max(3600).default(15),
  BERTH_RESTART_LOOP_COUNT: z.coerce.number({ error: 'expected a number of restarts' }).int().min(2).max(1000).default(3),
  BERTH_RESTART_LOOP_SECONDS: z.coerce.number({ error: 'expected seconds' }).int().min(1).max(86_400).default(600),
};

type Env = { [K in keyof typeof notificationEnv]: z.output<(typeof notificationEnv)[K]> };

export function notificationConfig(e: Env, auditRetentionDays: number) {
  return {
    notifications: {
      retry: { initialIntervalMs: e.BERTH_NOTIFY_RETRY_MS, maximumIntervalMs: Math.max(e.BERTH_NOTIFY_MAX_RETRY_MS, e.BERTH_NOTIFY_RETRY_MS), maximumAttempts: e.BERTH_NOTIFY_MAX_ATTEMPTS },
      endpoints: { telegramApiUrl: e.BERTH_TELEGRAM_API_URL.replace(/\/$/, ''), pagerDutyEventsUrl: e.BERTH_PAGERDUTY_EVENTS_URL },
      certificates: { warnDays: e.BERTH_CERT_WARN_DAYS, intervalSeconds: e.BERTH_CERT_CHECK_INTERVAL_SECONDS },
      runtime: {
        healthSeconds: e.BERTH_HEALTH_WATCH_SECONDS,
        restartLoop: { count: e.BERTH_RESTART_LOOP_COUNT, windowMs: e.BERTH_RESTART_LOOP_SECONDS * 1000 },
      },
    },
    retention: {
      intervalSeconds: e.BERTH_RETENTION_INTERVAL_SECONDS,
      days: {
        deploymentLogsDays: e.BERTH_RETAIN_DEPLOYMENT_LOGS_DAYS,
        reconcileEventsDays: e.BERTH_RETAIN_RECONCILE_EVENTS_DAYS,
        webhookDeliveriesDays: e.BERTH_RETAIN_WEBHOOK_DELIVERIES_DAYS,
        auditDays: auditRetentionDays,
        notificationsDays: e.BERTH_RETAIN_NOTIFICATIONS_DAYS,
      },
    },
  };
}
