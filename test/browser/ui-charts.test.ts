// The environment page's charts in real Chromium: an app deployed, traffic sent through the
// real Traefik, the worker sampling every second; the page then draws request rate, 5xx, p95,
// CPU and memory as inline SVG with the deploy as a marker, and its figures agree with the API.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { probeHttp } from '../../src/http-probe.js';
import { makeUser } from '../support/accounts.js';
import { checkPage, launchBrowser, newSession, signIn } from '../support/browser.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { startUiBerth, type UiBerth } from '../support/ui-berth.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const TAG = `berth-test/ui-charts:${process.pid}`;
const PASSWORD = 'a long enough passphrase';
let ui: UiBerth;
let browser: Browser;
let page: Page;
let fx: AppFixture;

interface Charts {
  points: { requestsPerSecond: number; p95Ms: number | null; cpuCores: number; memoryBytes: number }[];
  deploys: { deploymentId: string; status: string }[];
}

beforeAll(async () => {
  buildHello(TAG, { version: 'v1' });
  ui = await startUiBerth({ env: { BERTH_CONTAINER_SAMPLE_SECONDS: '1' } });
  const admin = await makeUser(ui.berth.database.db, { isAdmin: true, email: 'charts@example.test', password: PASSWORD });
  fx = await createImageApp(ui.berth, { app: 'charted', image: TAG });
  const d = await waitForDeployment(ui.berth, await deploy(ui.berth, fx));
  expect(d.status).toBe('succeeded');
  browser = await launchBrowser();
  ({ page } = await newSession(browser, ui.url));
  await signIn(page, admin.email, PASSWORD);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  removeImages(TAG);
});

test('request rate, 5xx, p95, CPU and memory over the last hour, with the deploy marked', async () => {
  // Traffic through Traefik for a few samples.
  const until = Date.now() + 4000;
  let sent = 0;
  while (Date.now() < until) {
    const r = await probeHttp(`${ui.berth.config.traefik.entryUrl}/`, { host: fx.host, timeoutMs: 2000, expectedStatus: 200 });
    expect(r.ok, r.reason ?? '').toBe(true);
    sent++;
  }
  const charts = await waitFor('samples with the traffic', async () => {
    const c = (await ui.berth.api('GET', `${fx.base}/charts?minutes=60`)).body as unknown as Charts;
    return c.points.some((p) => p.requestsPerSecond > 0) && c.points.length >= 3 ? c : undefined;
  }, 20_000, 500);
  expect(sent).toBeGreaterThan(10);
  expect(charts.deploys).toHaveLength(1);
  expect(charts.deploys[0]?.status).toBe('succeeded');
  expect(charts.points.some((p) => p.p95Ms !== null && p.p95Ms > 0)).toBe(true);
  expect(charts.points.at(-1)?.memoryBytes).toBeGreaterThan(0);

  await page.goto(`/ui/apps/${fx.app}`);
  const requests = page.locator('figure[data-series="requests"] svg');
  await requests.waitFor();
  expect(await requests.getAttribute('aria-label')).toMatch(/^Requests: now [\d.]+\/s, at most [\d.]*[1-9][\d.]*\/s; 1 deploy\(s\) in the last hour$/);
  expect(await page.locator('figure[data-series="requests"] polyline').getAttribute('points')).toMatch(/^[\d.]+,[\d.]+( [\d.]+,[\d.]+)+$/);
  for (const series of ['errors', 'p95', 'cpu', 'memory']) await page.locator(`figure[data-series="${series}"] svg`).waitFor();
  expect(await page.locator('figure[data-series="memory"] svg').getAttribute('aria-label')).toMatch(/^Memory: now [\d.]+ MiB/);
  expect(await page.locator('figure[data-series="errors"] svg').getAttribute('aria-label')).toMatch(/^5xx: now 0\.00\/s, at most 0\.00\/s/);
  const marker = page.locator('figure[data-series="requests"] line.deploy-marker');
  expect(await marker.count()).toBe(1);
  expect(await marker.getAttribute('data-deployment')).toBe(charts.deploys[0]?.deploymentId);
  await checkPage(page, '62-environment-charts');
}, 60_000);
