// An environment's uploaded certificate: checked whole before anything is stored (a refused
// one changes nothing), the key sealed at rest and never shown again; storing one sets the
// environment's HTTPS to custom and applies it.
import { eq, sql } from 'drizzle-orm';
import { certificateValues, getCertificate, type CertificateRow } from '../../db/queries/certificates.js';
import { environmentCertificates, environments } from '../../db/schema/index.js';
import { environmentHosts } from '../../src/domain/route.js';
import { certifiable } from '../../src/domain/https.js';
import { CertificateRejected, checkCertificate } from '../../src/tls/certificate-check.js';
import { defineRoute } from '../access/access-spec.js';
import { applyEnvironment } from '../apply-environment.js';
import type { AppDeps } from '../deps.js';
import { invalid, notFound } from '../errors.js';
import { httpsOf } from '../https-rules.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { CertificateInfo, CertificateUpload } from '../schemas/https.js';
import { EnvParam, findEnvironment } from './environments.js';
import { hostDomains } from '../../src/domain/domain-pattern.js';

function present(row: CertificateRow) {
  return { names: row.names, issuer: row.issuer, notBefore: null, notAfter: row.notAfter.toISOString(), fingerprint: row.fingerprint };
}

export function certificateRoutes({ db, config, temporal, secretBox }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'put',
      path: '/{app}/environments/{env}/certificate',
      access: { need: 'manage', on: 'param.app' },
      tags: ['domains'],
      summary: 'Uploads a certificate and key for the environment’s domains (https becomes custom)',
      description:
        'Refused (400, with the reason, nothing changed) unless the key matches the certificate, the chain is in order, every certificate is valid now and the names cover every domain.',
      request: { params: EnvParam, body: body(CertificateUpload) },
      responses: { 200: json(CertificateInfo, 'Stored and being applied'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const upload = c.req.valid('json');
      // The names to cover: the environment's own domains (the generated host may be a
      // loopback name no CA can certify).
      const domains = environmentHosts(a.name, env.name, config.appsDomain, hostDomains(env)).filter((h) => hostDomains(env).includes(h) && certifiable(h));
      let checked;
      try {
        checked = checkCertificate(upload.certificate, upload.key, domains);
      } catch (err) {
        if (err instanceof CertificateRejected) throw invalid(`certificate refused: ${err.message}`, [{ path: 'certificate', message: err.message }]);
        throw err;
      }
      const values = certificateValues(secretBox, env.id, checked);
      await db.transaction(async (tx) => {
        await tx.insert(environmentCertificates).values(values).onConflictDoUpdate({ target: environmentCertificates.environmentId, set: values });
        await tx
          .update(environments)
          .set({ https: { ...httpsOf(env.https), mode: 'custom' }, updatedAt: sql`now()` })
          .where(eq(environments.id, env.id));
      });
      await applyEnvironment(temporal, config, env.id);
      return c.json({ ...present({ ...values, updatedAt: new Date() }), notBefore: checked.notBefore.toISOString() }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/environments/{env}/certificate',
      access: { need: 'read', on: 'param.app' },
      tags: ['domains'],
      summary: 'The uploaded certificate (never its key)',
      request: { params: EnvParam },
      responses: { 200: json(CertificateInfo, 'The uploaded certificate'), ...errorResponses },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const row = await getCertificate(db, env.id);
      if (!row) throw notFound(`uploaded certificate of environment ${env.name}`);
      return c.json(present(row), 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{app}/environments/{env}/certificate',
      access: { need: 'manage', on: 'param.app' },
      tags: ['domains'],
      summary: 'Removes the uploaded certificate; https goes back to off',
      request: { params: EnvParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      const { env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const removed = await db.transaction(async (tx) => {
        const gone = await tx.delete(environmentCertificates).where(eq(environmentCertificates.environmentId, env.id)).returning();
        if (gone.length && httpsOf(env.https).mode === 'custom') {
          await tx
            .update(environments)
            .set({ https: { ...httpsOf(env.https), mode: 'off' }, updatedAt: sql`now()` })
            .where(eq(environments.id, env.id));
        }
        return gone.length;
      });
      if (!removed) throw notFound(`uploaded certificate of environment ${env.name}`);
      await applyEnvironment(temporal, config, env.id);
      return c.body(null, 204);
    },
  );

  return app;
}
