// Temporal's remote codec protocol (POST {endpoint}/encode and /decode, payloads as proto3 JSON)
// over Berth's payload codec, so operators read workflow inputs and results in the Temporal Web
// UI (its codec.endpoint pointed here) while Temporal's history holds ciphertext only. Only
// instance administrators may decode; the browser may call it from the configured Temporal Web
// UI's origin alone (CORS, api/app.ts).
import { z } from '@hono/zod-openapi';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec, PayloadDecodeError } from '../../src/temporal/payload-codec.js';
import { defineRoute } from '../access/access-spec.js';
import type { AppDeps } from '../deps.js';
import { invalid } from '../errors.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';

const Base64 = z.string().max(4 * 1024 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const PayloadJson = z
  .object({ metadata: z.record(z.string().max(256), Base64).optional(), data: Base64.optional() })
  .openapi('CodecPayload');
const Payloads = z.object({ payloads: z.array(PayloadJson).max(1000) }).openapi('CodecPayloads');
const READS_ONLY = 'a POST only to carry payloads; it changes nothing';

const fromJson = (p: z.infer<typeof PayloadJson>): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export function codecRoutes({ config, secretBox }: AppDeps) {
  const app = newRouter();
  const codec = new EncryptionCodec(secretBox.ring);
  const namespace = z.object({ 'x-namespace': z.string().max(255).optional() });
  const checkNamespace = (ns: string | undefined) => {
    if (ns !== undefined && ns !== config.temporal.namespace) throw invalid(`this codec serves namespace ${config.temporal.namespace}, not ${ns.slice(0, 100)}`, [{ path: 'X-Namespace', message: 'another namespace' }]);
  };

  for (const op of ['decode', 'encode'] as const) {
    app.openapi(
      defineRoute({
        method: 'post',
        path: `/${op}`,
        access: { instance: 'read', readsOnly: READS_ONLY },
        tags: ['codec'],
        summary: op === 'decode' ? 'Decrypt Temporal payloads (the Temporal Web UI’s remote codec)' : 'Encrypt Temporal payloads (the Temporal Web UI’s remote codec)',
        request: { headers: namespace, body: body(Payloads) },
        responses: { 200: json(Payloads, op === 'decode' ? 'Decoded payloads' : 'Encoded payloads'), ...errorResponses },
      }),
      async (c) => {
        checkNamespace(c.req.valid('header')['x-namespace']);
        const payloads = c.req.valid('json').payloads.map(fromJson);
        try {
          const out = op === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
          return c.json({ payloads: out.map(toJson) }, 200);
        } catch (err) {
          if (err instanceof PayloadDecodeError) throw invalid(err.message);
          throw err;
        }
      },
    );
  }
  return app;
}
