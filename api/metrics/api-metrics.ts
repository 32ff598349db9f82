// Everything the API's /metrics reports, in one prom-client registry per app: Berth's state
// from the database (cached, state-figures.ts), certificate expiry (probed at most once a
// minute), the webhook endpoint's counters and the API's own HTTP traffic (kept in memory as
// requests happen), and Node's process figures. A scrape therefore costs the same whatever the
// size of the tables.
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Db } from '../../db/client.js';
import { PHASE_BUCKETS } from '../../db/queries/state-figures.js';
import type { Config } from '../../src/config.js';
import { routeName } from '../../src/domain/route.js';
import { createCertificateMetrics } from '../certificate-metrics.js';
import type { WebhookCounters } from '../webhooks/counters.js';
import { httpMetrics } from './http-metrics.js';
import { histogramSamples, registerSnapshot } from '../../src/metrics/snapshot-metric.js';
import { createStateFigures } from './state-figures.js';

const WEBHOOK_OUTCOMES: Record<keyof WebhookCounters, string> = {
  accepted: 'accepted',
  duplicates: 'duplicate',
  ignored: 'ignored',
  rejectedSignature: 'rejected_signature',
  rejectedSize: 'rejected_size',
  rejectedMalformed: 'rejected_malformed',
};

export function createApiMetrics(parts: { db: Db; config: Config; webhooks: WebhookCounters }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const state = createStateFigures(parts.db, parts.config.metrics.refreshMs);
  const certificates = createCertificateMetrics(parts.db, parts.config);
  const figures = () => state.current();

  registerSnapshot(registry, { name: 'berth_deployments', help: 'Deployments by status.', type: 'gauge', samples: async () => (await figures()).byStatus.map((r) => ({ labels: { status: r.status }, value: r.n })) });
  registerSnapshot(registry, {
    name: 'berth_deployments_finished_total',
    help: 'Finished deployments by kind (deploy, rollback, teardown) and outcome.',
    type: 'counter',
    samples: async () => (await figures()).finished.map((r) => ({ labels: { kind: r.kind, outcome: r.outcome }, value: r.n })),
  });
  registerSnapshot(registry, {
    name: 'berth_deployment_phase_duration_seconds',
    help: 'How long finished deployment phases took, by phase and outcome.',
    type: 'histogram',
    samples: async () => histogramSamples('berth_deployment_phase_duration_seconds', PHASE_BUCKETS, (await figures()).phases.map((p) => ({ ...p, labels: { phase: p.phase, outcome: p.outcome } }))),
  });
  registerSnapshot(registry, { name: 'berth_deployments_stuck', help: 'Deployments still queued or running that reconcile found stuck.', type: 'gauge', samples: async () => [{ labels: {}, value: (await figures()).stuck }] });
  registerSnapshot(registry, {
    name: 'berth_reconcile_events_total',
    help: 'What reconcile found and did.',
    type: 'counter',
    samples: async () => (await figures()).reconcile.map((r) => ({ labels: { drift: r.drift, action: r.action, outcome: r.outcome }, value: r.n })),
  });
  registerSnapshot(registry, {
    name: 'berth_lane_queue_depth',
    help: 'Deployments waiting in an environment lane (environments with none are absent).',
    type: 'gauge',
    samples: async () => (await figures()).queued.map((r) => ({ labels: { app: r.app, environment: r.environment }, value: r.n })),
  });
  registerSnapshot(registry, {
    name: 'berth_environment_info',
    help: "Each environment's names beside the name of its Traefik router and service (join Traefik's metrics on `service` or `router`).",
    type: 'gauge',
    samples: async () =>
      (await figures()).environments.map((e) => ({ labels: { app: e.app, environment: e.environment, service: `${routeName(e.environmentId)}@file`, router: `${routeName(e.environmentId)}@file` }, value: 1 })),
  });
  registerSnapshot(registry, {
    name: 'berth_environment_deployed_timestamp_seconds',
    help: 'When the last successful deployment of an environment finished (deploy markers: changes() of this).',
    type: 'gauge',
    samples: async () => (await figures()).environments.filter((e) => e.deployedAt !== null).map((e) => ({ labels: { app: e.app, environment: e.environment }, value: e.deployedAt as number })),
  });
  registerSnapshot(registry, {
    name: 'berth_webhook_deliveries_total',
    help: 'Webhook requests this API process took in, by outcome.',
    type: 'counter',
    samples: () => Object.entries(WEBHOOK_OUTCOMES).map(([key, outcome]) => ({ labels: { outcome }, value: parts.webhooks[key as keyof WebhookCounters] })),
  });
  registerSnapshot(registry, {
    name: 'berth_certificate_expiry_timestamp_seconds',
    help: 'When the certificate served for a host expires (absent host: none valid is served; see berth_certificate_valid).',
    type: 'gauge',
    samples: async () => (await certificates.figures()).filter((f) => f.notAfter !== null).map((f) => ({ labels: { app: f.app, environment: f.environment, host: f.host }, value: f.notAfter as number })),
  });
  registerSnapshot(registry, {
    name: 'berth_certificate_valid',
    help: 'Whether a certificate covering the host is served (1) or not yet / no longer (0).',
    type: 'gauge',
    samples: async () => (await certificates.figures()).map((f) => ({ labels: { app: f.app, environment: f.environment, host: f.host }, value: f.notAfter === null ? 0 : 1 })),
  });
  return { registry, http: httpMetrics(registry) };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;
