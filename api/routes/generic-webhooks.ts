// An app's generic signed webhooks (POST /webhooks/generic/{id}): for a git host or CI Berth has
// no provider for. Berth makes the secret (Standard Webhooks format) and shows it once; it is
// sealed at rest and never returned again.
import { z } from '@hono/zod-openapi';
import { and, asc, eq } from 'drizzle-orm';
import { sealGenericSecret } from '../../db/queries/generic-webhooks.js';
import { genericWebhooks } from '../../db/schema/index.js';
import { newStandardSecret } from '../../src/git-hosts/generic/standard-webhooks.js';
import { newId } from '../../src/ids.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { invalid, notFound } from '../errors.js';
import { newRouter } from '../router.js';
import { errorResponses, json } from '../schemas/common.js';
import { AppParam, findApp } from './apps.js';

const GenericWebhook = z
  .object({ id: z.string(), path: z.string().openapi({ description: 'POST here, signed with the secret (Standard Webhooks)' }), createdAt: z.string() })
  .openapi('GenericWebhook');
const Created = GenericWebhook.extend({ secret: z.string().openapi({ description: 'whsec_…: shown once, sealed at rest' }) }).openapi('GenericWebhookCreated');
const HookParam = AppParam.extend({ id: z.string().regex(/^whk_[0-9a-z]{10,32}$/, 'a webhook id') });

const present = (r: typeof genericWebhooks.$inferSelect) => ({ id: r.id, path: `/webhooks/generic/${r.id}`, createdAt: r.createdAt.toISOString() });

export function genericWebhookRoutes({ db, secretBox }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/webhooks',
      access: { need: 'read', on: 'param.app' },
      tags: ['apps'],
      summary: "The app's generic signed webhooks (secrets are never returned)",
      request: { params: AppParam },
      responses: { 200: json(z.object({ items: z.array(GenericWebhook) }), 'Webhooks'), ...errorResponses },
    }),
    async (c) => {
      const a = await findApp(db, c.req.valid('param').app);
      const rows = await db.select().from(genericWebhooks).where(eq(genericWebhooks.appId, a.id)).orderBy(asc(genericWebhooks.createdAt));
      return c.json({ items: rows.map(present) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/{app}/webhooks',
      access: { need: 'manage', on: 'param.app' },
      tags: ['apps'],
      summary: 'Make a generic signed webhook for the app',
      description:
        'A delivery {"ref": "refs/heads/<branch>" | "refs/tags/<tag>", "sha"?: "<commit>"} signed in the Standard Webhooks format (webhook-id, webhook-timestamp, webhook-signature) deploys by the app\'s rules, like a push.',
      request: { params: AppParam },
      responses: { 201: json(Created, 'Made; the secret is shown this once'), ...errorResponses },
    }),
    async (c) => {
      const a = await findApp(db, c.req.valid('param').app);
      if (a.kind !== 'git' && a.kind !== 'stack') throw invalid(`app ${a.name} is of kind ${a.kind}: only apps built from git have webhooks`);
      const id = newId('whk');
      const secret = newStandardSecret();
      const [row] = await db.insert(genericWebhooks).values({ id, appId: a.id, secretSealed: sealGenericSecret(secretBox, id, secret) }).returning();
      return c.json({ ...present(row as typeof genericWebhooks.$inferSelect), secret }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{app}/webhooks/{id}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['apps'],
      summary: 'Remove a generic webhook',
      request: { params: HookParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      const { app: name, id } = c.req.valid('param');
      const a = await findApp(db, name);
      const gone = await db.delete(genericWebhooks).where(and(eq(genericWebhooks.id, id), eq(genericWebhooks.appId, a.id))).returning({ id: genericWebhooks.id });
      if (gone.length === 0) throw notFound('webhook');
      return c.body(null, 204);
    },
  );
  return app;
}
