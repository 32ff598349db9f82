// The web UI's first page under load: the overview with 50 apps and 500 deployments, opened in
// real Chromium (headless, a fresh browser context each time, so nothing is cached), timed from
// navigation start until all 50 apps are drawn; plus what a first load costs in bytes (the
// shell, the script, the stylesheet and the overview's JSON, as transferred). Baseline: the
// same GET /overview answered to Node's fetch, without a browser.
import { deployments, environments, releases } from '../db/schema/index.js';
import { releaseIdFor } from '../src/domain/ids.js';
import { newId } from '../src/ids.js';
import { makeUser } from '../test/support/accounts.js';
import type { TestBerth } from '../test/support/berth.js';
import { launchBrowser } from '../test/support/browser.js';
import { fmtMs, median, percentile, type Row } from './stats.js';
import { eq } from 'drizzle-orm';

const APPS = 50;
const DEPLOYMENTS_PER_APP = 10;
const PASSWORD = 'a long enough passphrase';
const TARGET_MS = 1000;

async function seed(berth: TestBerth): Promise<void> {
  const must = async (method: string, path: string, body?: unknown) => {
    const res = await berth.api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await must('POST', '/api/v1/projects', { name: 'ui-bench' });
  const db = berth.database.db;
  for (let i = 0; i < APPS; i++) {
    const app = await must('POST', '/api/v1/apps', { project: 'ui-bench', name: `ui-bench-${i}`, image: 'berth-local/hello:v1' });
    const env = await must('POST', `/api/v1/apps/ui-bench-${i}/environments`, { name: 'prod' });
    // Deployments and releases written as the workers would have: ten attempts, the last one live.
    const rows = Array.from({ length: DEPLOYMENTS_PER_APP }, (_, n) => ({
      id: newId('dep'),
      appId: app.id as string,
      environmentId: env.id as string,
      kind: 'deploy' as const,
      trigger: 'api',
      request: { image: `berth-local/hello:v${n}` },
      status: n === DEPLOYMENTS_PER_APP - 1 ? ('succeeded' as const) : n % 3 === 0 ? ('failed' as const) : ('succeeded' as const),
      workflowId: `bench-${n}`,
      createdAt: new Date(Date.now() - (DEPLOYMENTS_PER_APP - n) * 60_000),
      finishedAt: new Date(Date.now() - (DEPLOYMENTS_PER_APP - n) * 60_000 + 3000),
    }));
    await db.insert(deployments).values(rows);
    const last = rows[rows.length - 1] as (typeof rows)[number];
    const releaseId = releaseIdFor(last.id);
    await db.insert(releases).values({
      id: releaseId,
      appId: app.id,
      environmentId: env.id,
      number: 1,
      imageRef: 'berth-local/hello:v9',
      imagePinned: 'berth-local/hello@sha256:0000000000000000000000000000000000000000000000000000000000000000',
      imageId: 'sha256:0',
      config: {} as never,
      variables: {},
      createdByDeploymentId: last.id,
    });
    await db.update(environments).set({ liveReleaseId: releaseId, liveDeploymentId: last.id }).where(eq(environments.id, env.id));
  }
}

export async function uiOverview(berth: TestBerth, apiUrl: string, rounds: number): Promise<Row[]> {
  await seed(berth);
  const user = await makeUser(berth.database.db, { isAdmin: true, email: `ui-bench-${Date.now()}@example.test`, password: PASSWORD });
  const login = await fetch(`${apiUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: user.email, password: PASSWORD }) });
  const session = login.headers.getSetCookie().map((c) => c.split(';')[0] as string);
  const cookies = session.map((c) => ({ name: c.slice(0, c.indexOf('=')), value: c.slice(c.indexOf('=') + 1), url: apiUrl }));

  const api: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const res = await fetch(`${apiUrl}/api/v1/overview`, { headers: { cookie: session.join('; ') } });
    await res.arrayBuffer();
    api.push(performance.now() - started);
  }

  const browser = await launchBrowser();
  const render: number[] = [];
  let bytes = { total: 0, parts: '' };
  let foreign = 0;
  let waterfall = '';
  try {
    for (let i = 0; i < rounds + 1; i++) {
      const context = await browser.newContext();
      await context.addCookies(cookies);
      const page = await context.newPage();
      page.on('request', (r) => {
        if (!r.url().startsWith(apiUrl) && !r.url().startsWith('data:')) foreign++;
      });
      await page.goto(`${apiUrl}/ui/`, { waitUntil: 'commit' });
      await page.locator('.project .card').nth(APPS - 1).waitFor({ timeout: 30_000 });
      // Evaluated as text: this file is compiled for Node, without the DOM's types.
      const measured = (await page.evaluate(`(() => {
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].filter((r) => !r.name.includes('/events'));
        return { at: performance.now(), parts: entries.map((r) => [new URL(r.name).pathname, r.transferSize, Math.round(r.startTime), Math.round(r.responseEnd)]) };
      })()`)) as { at: number; parts: [string, number, number, number][] };
      // The first round also warms the API process (its first queries); it is not counted.
      if (i > 0) render.push(measured.at);
      const total = measured.parts.reduce((n, [, size]) => n + size, 0);
      bytes = { total, parts: measured.parts.map(([name, size]) => `${name.replace(/^\/(ui|api\/v1)\//, '') || 'shell'} ${(size / 1024).toFixed(1)} KiB`).join(', ') };
      waterfall = measured.parts.map(([name, , start, end]) => `${name.split('/').at(-1) || 'shell'} ${start}–${end}`).join(', ') + `, drawn ${Math.round(measured.at)}`;
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const p50 = median(render);
  process.stdout.write(`ui-overview: first render ${render.map((r) => r.toFixed(0)).join(' ')} ms; bytes ${bytes.total} (${bytes.parts}); requests to other origins: ${foreign}\nlast load (ms from navigation start): ${waterfall}\n`);
  return [
    {
      benchmark: `ui-overview first render (${APPS} apps, ${APPS * DEPLOYMENTS_PER_APP} deployments, cold)`,
      figure: `p50 ${fmtMs(p50)}, p95 ${fmtMs(percentile(render, 95))}`,
      baseline: `GET /overview alone p50 ${fmtMs(median(api))}`,
      ratio: `${(p50 / median(api)).toFixed(1)}x`,
      target: `≤ ${fmtMs(TARGET_MS)}`,
      met: p50 <= TARGET_MS,
    },
    {
      benchmark: 'ui-overview bytes shipped (first load, transferred)',
      figure: `${(bytes.total / 1024).toFixed(1)} KiB`,
      baseline: bytes.parts,
      ratio: '-',
      target: `no other origin (${foreign} requests)`,
      met: foreign === 0,
    },
  ];
}
