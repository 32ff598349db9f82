// The web UI's pages: every path under /ui answers the same small HTML shell, which loads one
// script and one stylesheet from Berth itself (the Content-Security-Policy allows nothing
// else, and no inline script); the script reads the path and draws the page from the API.
// The shell holds no data, so it needs no credentials: the API calls it makes are checked.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../deps.js';
import { uiBundle, type UiBundle } from './ui-bundle.js';

export const UI_BASE = '/ui';

const shell = (b: UiBundle) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Berth</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${UI_BASE}/assets/${b.style.name}">
<script type="module" src="${UI_BASE}/assets/${b.script.name}"></script>
</head><body><div id="root"><noscript>Berth's web UI needs JavaScript; the API and the berth command line do not.</noscript></div></body></html>`;

export function uiRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/assets/:name', async (c) => {
    const asset = (await uiBundle()).assets.get(c.req.param('name'));
    if (!asset) return c.notFound();
    const headers = { 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable', vary: 'accept-encoding' };
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) return c.body(asset.gzipped as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-encoding': 'gzip' });
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, headers);
  });
  const page = async (c: Context<AppEnv>) => c.html(shell(await uiBundle()), 200, { 'cache-control': 'no-cache' });
  app.get('/', page);
  app.get('/*', page);
  return app;
}
