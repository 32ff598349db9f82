// An environment's domains one at a time, with the DNS check before one is added, and the
// certificate status of every host name it answers on.
import { z } from '@hono/zod-openapi';
import { eq, sql } from 'drizzle-orm';
import { getCertificate } from '../../db/queries/certificates.js';
import { environments } from '../../db/schema/index.js';
import { environmentHosts } from '../../src/domain/route.js';
import { defineRoute } from '../access/access-spec.js';
import { applyEnvironment } from '../apply-environment.js';
import type { AppDeps } from '../deps.js';
import { checkDomainDns } from '../dns-check.js';
import { domainStatuses } from '../domain-status.js';
import { conflict, notFound } from '../errors.js';
import { assertHttpsFits, httpsOf } from '../https-rules.js';
import { newRouter } from '../router.js';
import { body, errorResponses, json } from '../schemas/common.js';
import { Environment } from '../schemas/environments.js';
import { DnsCheck, DomainInput, DomainName, DomainStatus } from '../schemas/https.js';
import { assertDomainsFree } from '../domain-rules.js';
import { EnvParam, findEnvironment, presentEnvironment } from './environments.js';
import { hostDomains } from '../../src/domain/domain-pattern.js';

/** The domain's DNS does not point here; `force: true` adds it all the same. */
const DnsWarning = z
  .object({ error: z.object({ type: z.string(), message: z.string(), requestId: z.string().nullable() }), dns: DnsCheck.optional() })
  .openapi('DnsWarning');

export function domainRoutes({ db, config, temporal }: AppDeps) {
  const app = newRouter();

  app.openapi(
    defineRoute({
      method: 'get',
      path: '/{app}/environments/{env}/domains',
      access: { need: 'read', on: 'param.app' },
      tags: ['domains'],
      summary: 'Every host name of the environment with the certificate Traefik serves for it',
      request: { params: EnvParam },
      responses: { 200: json(z.object({ items: z.array(DomainStatus) }), 'Status per host name'), ...errorResponses },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const hosts = environmentHosts(a.name, env.name, config.appsDomain, hostDomains(env));
      return c.json({ items: await domainStatuses(config, hosts, httpsOf(env.https), await getCertificate(db, env.id)) }, 200);
    },
  );

  app.openapi(
    defineRoute({
      method: 'post',
      path: '/{app}/environments/{env}/domains',
      access: { need: 'manage', on: 'param.app' },
      tags: ['domains'],
      summary: 'Adds a domain once its DNS points at this server (or with force), and applies it',
      request: { params: EnvParam, body: body(DomainInput) },
      responses: {
        ...errorResponses,
        201: json(z.object({ environment: Environment, dns: DnsCheck }), 'Added'),
        409: json(DnsWarning, 'The domain does not point at this server (nothing changed; `dns` says what it resolves to), or it is taken'),
      },
    }),
    async (c) => {
      const { app: a, env } = await findEnvironment(db, c.req.valid('param').app, c.req.valid('param').env);
      const { domain, force } = c.req.valid('json');
      if (env.domains.includes(domain)) throw conflict(`${domain} is already a domain of this environment`);
      const domains = [...env.domains, domain];
      if (domains.length > 20) throw conflict('an environment has at most 20 domains');
      await assertDomainsFree(db, config.appsDomain, domains, env.id);
      await assertHttpsFits(db, config, env.id, httpsOf(env.https), domains);
      const dns = await checkDomainDns(domain, config.domainCheck);
      if (!dns.pointsHere && !force) {
        const requestId = c.get('requestId') ?? null;
        return c.json({ error: { type: 'Conflict', message: `${dns.warning ?? 'DNS check failed'}; add it anyway with force: true`, requestId }, dns }, 409);
      }
      const [row] = await db.update(environments).set({ domains, updatedAt: sql`now()` }).where(eq(environments.id, env.id)).returning();
      await applyEnvironment(temporal, config, env.id);
      return c.json({ environment: await presentEnvironment(db, config, a, row ?? env), dns }, 201);
    },
  );

  app.openapi(
    defineRoute({
      method: 'delete',
      path: '/{app}/environments/{env}/domains/{domain}',
      access: { need: 'manage', on: 'param.app' },
      tags: ['domains'],
      summary: 'Removes a domain and applies the change',
      request: { params: EnvParam.extend({ domain: DomainName }) },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      const { app: appName, env: envName, domain } = c.req.valid('param');
      const { env } = await findEnvironment(db, appName, envName);
      if (!env.domains.includes(domain)) throw notFound(`domain ${domain} of environment ${envName}`);
      const domains = env.domains.filter((d) => d !== domain);
      await db.update(environments).set({ domains, updatedAt: sql`now()` }).where(eq(environments.id, env.id));
      await applyEnvironment(temporal, config, env.id);
      return c.body(null, 204);
    },
  );

  return app;
}

