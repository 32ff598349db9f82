// The interactive API reference: Swagger UI, served from the swagger-ui-dist package (nothing
// is fetched from a CDN, so it works on a machine without internet access).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import type { AppEnv } from './deps.js';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const assetsDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export function referencePage(specUrl: string) {
  const app = new Hono<AppEnv>();
  app.get('/', (c) =>
    c.html(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Berth API reference</title>
<link rel="stylesheet" href="reference/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="reference/swagger-ui-bundle.js"></script>
<script src="reference/init.js"></script>
</body></html>`),
  );
  // A file, not an inline script: the Content-Security-Policy allows scripts from Berth only.
  app.get('/init.js', (c) =>
    c.body(`window.ui = SwaggerUIBundle({ url: ${JSON.stringify(specUrl)}, dom_id: '#ui', deepLinking: true });\n`, 200, {
      'content-type': 'text/javascript; charset=utf-8',
    }),
  );
  app.get('/:asset', async (c) => {
    const type = ASSETS[c.req.param('asset')];
    if (!type) return c.notFound();
    const content = await readFile(join(assetsDir, c.req.param('asset')));
    return c.body(content, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return app;
}
