// The baseline of the webhook benchmark: a bare Hono endpoint on Node's HTTP server, in its own
// process like Berth's API, that reads the body and answers 202. Prints its URL.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
// Any webhook path: the git-host benchmark posts to /webhooks/<host>/<id>.
app.post('/webhooks/*', async (c) => {
  await c.req.arrayBuffer();
  return c.json({ status: 'accepted' }, 202);
});
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
