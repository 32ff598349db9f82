// Certificates about to expire are told to the channels that want it: an uploaded certificate
// valid for 5 more days, served through Traefik's HTTPS entrypoint, is notified once by the
// certificate check (a signed webhook naming the host and the days left); a second check sends
// nothing new; a certificate valid for 60 days is not notified; the schedule carries the setting.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { WORKFLOWS } from '../../src/domain/workflow-contracts.js';
import { CERTIFICATES_SCHEDULE_ID } from '../../src/temporal/schedules.js';
import { executeWorkflow } from '../../src/temporal/workflow-starts.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startHttpReceiver, type HttpReceiver } from '../support/notification-receivers.js';
import { makeTestCa, type TestCa } from '../support/test-certificates.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const TAG = 'berth-test/cert-notices:v1';
const SOON = 'soon.cert-notices.test';
const LATER = 'later.cert-notices.test';
let berth: TestBerth;
let http: HttpReceiver;
let ca: TestCa;
let soon: AppFixture;
let later: AppFixture;
let run = 0;

const check = () => executeWorkflow(berth.temporal, WORKFLOWS.checkCertificates, { workflowId: `check-certificates-test-${process.pid}-${++run}`, args: [{ warnDays: 21 }] });

beforeAll(async () => {
  buildHello(TAG, { version: 'v1' });
  ca = makeTestCa('Berth Expiry CA');
  http = await startHttpReceiver();
  berth = await startBerth({ env: { BERTH_CERT_WARN_DAYS: '21', BERTH_CERT_CHECK_INTERVAL_SECONDS: '7200' } });
  soon = await createImageApp(berth, { app: 'certsoon', image: TAG, environment: { domains: [SOON] } });
  later = await createImageApp(berth, { app: 'certlater', image: TAG, environment: { domains: [LATER] } });
  for (const [fx, host, days] of [[soon, SOON, 5], [later, LATER, 60]] as const) {
    const leaf = ca.issue([host], days);
    const res = await berth.api('PUT', `${fx.base}/certificate`, { certificate: `${leaf.cert}${ca.cert}`, key: leaf.key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await waitForDeployment(berth, await deploy(berth, fx))).status).toBe('succeeded');
  }
  const channel = await berth.api('POST', '/api/v1/notification-channels', { name: 'certs', destination: { kind: 'webhook', url: http.url('/certs') }, subscriptions: [{ events: ['certificate.expiring'] }] });
  expect(channel.status, JSON.stringify(channel.body)).toBe(201);
}, 180_000);

afterAll(async () => {
  await berth?.close();
  await http?.close();
  ca?.remove();
  removeImages(TAG);
});

test('a certificate within the warning window is notified once; one far from expiry is not', async () => {
  // Served by Traefik first: the check looks at what clients get.
  const result = await waitFor('both certificates served and checked', async () => {
    const r = await check();
    return r.checked >= 2 ? r : undefined;
  }, 30_000, 500);
  expect(result.expiring.map((e) => e.host)).toEqual([SOON]);
  expect(result.expiring[0]?.daysLeft).toBeGreaterThanOrEqual(3);
  expect(result.expiring[0]?.daysLeft).toBeLessThanOrEqual(5);

  const got = await waitFor('the expiring notification', async () => (http.accepted('/certs').length >= 1 ? http.accepted('/certs') : undefined), 30_000, 100);
  const body = JSON.parse(got[0]?.body ?? '{}') as { type: string; data: { title: string; facts: Record<string, string> } };
  expect(body.type).toBe('certificate.expiring');
  expect(body.data.facts).toMatchObject({ host: SOON, app: 'certsoon', environment: 'prod', source: 'uploaded' });
  expect(body.data.title).toMatch(/expires in \d days/);
  expect(got[0]?.headers['webhook-signature']).toMatch(/^v1,/);

  // Checked again: the same certificate is not notified twice.
  expect((await check()).expiring.map((e) => e.host)).toEqual([SOON]);
  await new Promise((r) => setTimeout(r, 1500));
  expect(http.accepted('/certs')).toHaveLength(1);
}, 120_000);

test('the schedule runs the check with the configured warning window', async () => {
  const described = await berth.temporal.schedule.getHandle(CERTIFICATES_SCHEDULE_ID).describe();
  expect(described.spec.intervals?.[0]?.every).toBe(7_200_000);
  expect(described.action.type).toBe('startWorkflow');
  if (described.action.type !== 'startWorkflow') return;
  expect(described.action.workflowType).toBe(WORKFLOWS.checkCertificates.type);
  expect(described.action.args).toEqual([{ warnDays: 21 }]);
});
