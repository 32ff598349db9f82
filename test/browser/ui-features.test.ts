// The web UI's other journeys in real Chromium against a real Berth: the rules dry run as you
// type, a compose error shown at its path, a static site uploaded from the browser, a deploy
// cancelled from its page, and a viewer who sees no deploy buttons and whose own call is refused.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { projects } from '../../db/schema/index.js';
import { addMember, makeUser } from '../support/accounts.js';
import { checkPage, launchBrowser, newSession, signIn } from '../support/browser.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { buildHello, removeImages } from '../support/images.js';
import { createStaticApp } from '../support/static-sites.js';
import { throughTraefik } from '../support/traefik.js';
import { startUiBerth, type UiBerth } from '../support/ui-berth.js';
import { eq } from 'drizzle-orm';

const PASSWORD = 'a long enough passphrase';
const tags = { v1: 'berth-test/ui-f:v1', slow: 'berth-test/ui-f:slow' };
let ui: UiBerth;
let browser: Browser;
let page: Page;
let cspViolations: string[];
let fx: AppFixture;

beforeAll(async () => {
  buildHello(tags.v1, { version: 'v1' });
  buildHello(tags.slow, { version: 'slow', startDelay: 20 });
  ui = await startUiBerth({ staticServer: true });
  const admin = await makeUser(ui.berth.database.db, { isAdmin: true, email: 'admin@example.test', password: PASSWORD });
  fx = await createImageApp(ui.berth, { app: 'shopweb', image: tags.v1, healthCheck: { startPeriodMs: 30_000 } });
  browser = await launchBrowser();
  ({ page, cspViolations } = await newSession(browser, ui.url));
  await signIn(page, admin.email, PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  removeImages(...Object.values(tags));
});

describe('rules', () => {
  test('adding rules and the dry run as you type: which rule matches, and why not the others', async () => {
    await page.goto(`/ui/apps/${fx.app}/rules`);
    const add = page.getByRole('form', { name: 'Add a rule' });
    for (const [pattern, env] of [['release/**', 'prod'], ['main', 'prod']] as const) {
      await add.getByLabel('Pattern (glob)').fill(pattern);
      await add.getByLabel('Environment').fill(env);
      await add.getByRole('button', { name: 'Add rule' }).click();
      await page.locator('ol.rules li', { hasText: pattern }).waitFor();
    }
    await page.getByRole('textbox', { name: 'Branch' }).pressSequentially('main', { delay: 30 });
    await expect.poll(() => page.getByTestId('dry-run').textContent()).toMatch(/Deploys to prod \(rule main\)/);
    expect(await page.getByTestId('dry-run').textContent()).toMatch(/✗/);
    await page.getByRole('textbox', { name: 'Branch' }).fill('feature/x');
    await expect.poll(() => page.getByTestId('dry-run').textContent()).toMatch(/No rule matches/);
    await page.getByRole('button', { name: 'Move rule 2 up' }).click();
    await expect.poll(() => page.locator('ol.rules li').first().textContent()).toMatch(/main/);
    // Edited in place: release/** now deploys to another environment.
    expect((await ui.berth.api('POST', `/api/v1/apps/${fx.app}/environments`, { name: 'staging' })).status).toBe(201);
    await page.getByRole('button', { name: 'Edit rule 2' }).click();
    const edit = page.getByRole('form', { name: 'Edit rule 2' });
    await edit.getByLabel('Environment').fill('staging');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await expect.poll(() => page.locator('ol.rules li').nth(1).textContent()).toMatch(/release\/\*\* → staging/);
    expect((await ui.berth.api('GET', `/api/v1/apps/${fx.app}/rules`)).body.items.map((r: { environment: string }) => r.environment)).toEqual(['prod', 'staging']);
    await checkPage(page, '11-rules');
  });
});

describe('stacks', () => {
  test('a compose error is shown at its path, and nothing is saved', async () => {
    const good = 'services:\n  web:\n    image: nginx:1\n    depends_on: [db]\n    x-berth: { port: 80, path: / }\n  db:\n    image: postgres:16\n';
    expect((await ui.berth.api('POST', '/api/v1/apps', { project: `p-${fx.app}`, name: 'shopstack', kind: 'stack', compose: good })).status).toBe(201);
    expect((await ui.berth.api('POST', '/api/v1/apps/shopstack/environments', { name: 'prod' })).status).toBe(201);
    await page.goto('/ui/apps/shopstack/stack');
    // Checked as you type: the refusal shows at its path before anything is saved.
    await page.getByLabel('Compose file').fill(good.replace('    image: nginx:1\n', '    image: nginx:1\n    privileged: true\n'));
    await expect.poll(() => page.getByTestId('issues').textContent()).toMatch(/services\.web\.privileged/);
    await page.getByRole('button', { name: 'Check and save' }).click();
    await expect.poll(() => page.getByTestId('issues').textContent()).toMatch(/services\.web\.privileged/);
    expect((await ui.berth.api('GET', '/api/v1/apps/shopstack/compose')).body.compose).toBe(good);
    // What Berth translates rather than refuses is listed at its path too (published ports go through Traefik).
    await page.getByLabel('Compose file').fill(good.replace('    image: nginx:1\n', '    image: nginx:1\n    ports: ["8080:80"]\n'));
    await expect.poll(() => page.getByTestId('warnings').textContent()).toMatch(/services\.web\.ports/);
    expect(await page.getByTestId('issues').count()).toBe(0);
    await page.getByRole('button', { name: 'Plan for prod' }).click();
    await expect.poll(() => page.getByTestId('plan').textContent()).toMatch(/level 2/);
    // The graph: db in the first column, web in the second, one arrow between them.
    expect(await page.locator('svg.graph line.edge').count()).toBe(1);
    expect(await page.getByRole('img', { name: /web after db/ }).count()).toBe(1);
    await checkPage(page, '12-stack-error');
  });
});

describe('static sites', () => {
  test('a site chosen in the browser is packed, uploaded, deployed and served', async () => {
    const site = await createStaticApp(ui.berth, { app: 'shopsite' });
    await page.goto('/ui/apps/shopsite');
    await page.locator('input[type=file][name=site]').setInputFiles([
      { name: 'index.html', mimeType: 'text/html', buffer: Buffer.from('<h1>from the browser</h1>\n') },
      { name: 'about.html', mimeType: 'text/html', buffer: Buffer.from('about\n') },
    ]);
    await page.getByRole('button', { name: 'Deploy to prod' }).click();
    await page.waitForURL(/\/ui\/deployments\/dep_/);
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toBe('succeeded');
    expect((await throughTraefik(site.host)).body).toBe('<h1>from the browser</h1>\n');
    await checkPage(page, '13-static-deployed');
  });

  test('a drop on the zone is read like a choice of files', async () => {
    await page.goto('/ui/apps/shopsite');
    await page.getByTestId('site-drop').waitFor();
    // A drop as the browser delivers it: a DataTransfer holding the file (as text: no DOM types here).
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['<h1>dropped</h1>\\n'], 'index.html', { type: 'text/html' }));
      document.querySelector('[data-testid=site-drop]').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    })()`);
    await expect.poll(() => page.getByTestId('site-drop').textContent()).toMatch(/1 file: index\.html/);
  });
});

describe('removing', () => {
  test('an environment, then the app, from the app page: each says what it removes and asks first', async () => {
    expect((await ui.berth.api('POST', '/api/v1/apps/shopsite/environments', { name: 'staging' })).status).toBe(201);
    await page.goto('/ui/apps/shopsite');
    page.once('dialog', (d) => {
      expect(d.message()).toMatch(/Remove environment staging of shopsite\? Its containers and route go now/);
      void d.accept();
    });
    await page.getByRole('button', { name: 'Remove environment staging' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'staging' }).count()).toBe(0);
    expect((await ui.berth.api('GET', '/api/v1/apps/shopsite/environments/staging')).status).toBe(404);
    await checkPage(page, '16-app-danger-zone');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove app shopsite' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect((await ui.berth.api('GET', '/api/v1/apps/shopsite')).status).toBe(404);
  });
});

describe('cancelling', () => {
  test('a running deploy is cancelled from its page; what was live stays live', async () => {
    const live = await deploy(ui.berth, fx, tags.v1);
    await expect.poll(async () => (await ui.berth.api('GET', `/api/v1/deployments/${live}`)).body.status, { timeout: 60_000 }).toBe('succeeded');
    const slow = await deploy(ui.berth, fx, tags.slow);
    await page.goto(`/ui/deployments/${slow}`);
    await page.locator('.timeline .phase[data-phase="health"]').waitFor({ timeout: 60_000 });
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Cancel deployment' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 60_000 }).toBe('cancelled');
    await expect.poll(() => page.getByTestId('end-state').textContent()).toMatch(/Still serving release #1/);
    expect((await throughTraefik(fx.host)).body.trim()).toBe('v1');
    await checkPage(page, '14-cancelled');
  });
});

describe('a viewer', () => {
  test('sees no deploy or rollback buttons, and a direct call is refused 403', async () => {
    const [project] = await ui.berth.database.db.select().from(projects).where(eq(projects.name, `p-${fx.app}`));
    const viewer = await makeUser(ui.berth.database.db, { email: 'viewer@example.test', password: PASSWORD });
    await addMember(ui.berth.database.db, (project as { id: string }).id, viewer.id, 'viewer');
    const session = await newSession(browser, ui.url);
    try {
      await signIn(session.page, viewer.email, PASSWORD);
      await session.page.goto(`/ui/apps/${fx.app}`);
      await session.page.getByRole('heading', { name: 'prod' }).waitFor();
      await session.page.locator('table.releases').waitFor();
      expect(await session.page.getByRole('button', { name: /Deploy to/ }).count()).toBe(0);
      expect(await session.page.getByRole('button', { name: /Roll back/ }).count()).toBe(0);
      expect(await session.page.getByRole('form', { name: 'Add an environment' }).count()).toBe(0);
      expect(await session.page.getByRole('button', { name: /Remove/ }).count()).toBe(0);
      // The call the hidden button would make, made from the viewer's page with its session and CSRF token.
      const refused = (await session.page.evaluate(`(async () => {
        const csrf = document.cookie.split('; ').find((c) => c.startsWith('berth_csrf='))?.slice('berth_csrf='.length) ?? '';
        const res = await fetch(${JSON.stringify(`${fx.base}/deployments`)}, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: '{}' });
        return { status: res.status, body: await res.json() };
      })()`)) as { status: number; body: { error: { message: string } } };
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toMatch(/role viewer/);
      await checkPage(session.page, '15-viewer-app');
      expect(session.cspViolations).toEqual([]);
    } finally {
      await session.context.close();
    }
  });
});

describe('every other page', () => {
  test.each([
    ['/ui/audit', 'Audit log', '21-audit'],
    ['/ui/users', 'Users', '22-users'],
    ['/ui/tokens', 'API tokens', '23-tokens'],
    ['/ui/github', 'GitHub', '24-github'],
    ['/ui/reconcile', 'Reconcile', '25-reconcile'],
    ['/ui/cleanup', 'Cleanup', '26-cleanup'],
    [`/ui/apps/shopweb/environments/prod/variables`, 'Variables of shopweb / prod', '27-variables'],
  ])('%s loads and passes axe', async (path, heading, shot) => {
    await page.goto(path);
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    // Its data arrives after the heading; the page has nothing to say "done" by.
    await page.waitForTimeout(500);
    await checkPage(page, shot);
    expect(await page.locator('[role=alert]').count(), await page.locator('[role=alert]').allTextContents().then((t) => t.join('; '))).toBe(0);
  });

  test('nothing broke the Content-Security-Policy', () => {
    expect(cspViolations).toEqual([]);
  });
});
