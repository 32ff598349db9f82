// Certificate expiry for /metrics: what Traefik serves for every certified host (a TLS probe
// each), so an alert can fire before a certificate lapses, however it was obtained. Probed at
// most once a minute; a scrape in between gets the last figures.
import { eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apps, environments } from '../db/schema/index.js';
import type { Config } from '../src/config.js';
import { routeTls } from '../src/domain/https.js';
import { environmentHosts } from '../src/domain/route.js';
import { nameCovers } from '../src/tls/certificate-check.js';
import { probeCertificate } from '../src/tls/certificate-probe.js';
import { hostDomains } from '../src/domain/domain-pattern.js';

export interface CertificateFigure {
  app: string;
  environment: string;
  host: string;
  /** Unix seconds; null when no certificate for the host is served. */
  notAfter: number | null;
}

const REFRESH_MS = 60_000;
const PROBES_AT_ONCE = 8;

export function createCertificateMetrics(db: Db, config: Config) {
  let last: { at: number; figures: Promise<CertificateFigure[]> } | null = null;

  async function measure(): Promise<CertificateFigure[]> {
    const rows = await db
      .select({ env: environments, app: apps.name })
      .from(environments)
      .innerJoin(apps, eq(apps.id, environments.appId))
      .where(isNotNull(environments.https));
    const targets = rows.flatMap(({ env, app }) => {
      const hosts = environmentHosts(app, env.name, config.appsDomain, hostDomains(env));
      const tls = routeTls(env.https, hosts, config.traefik.httpsPublicPort);
      return (tls?.certHosts ?? []).filter((h) => !h.startsWith('*.')).map((host) => ({ app, environment: env.name, host }));
    });
    const figures: CertificateFigure[] = [];
    for (let i = 0; i < targets.length; i += PROBES_AT_ONCE) {
      const batch = targets.slice(i, i + PROBES_AT_ONCE);
      const probed = await Promise.all(batch.map((t) => probeCertificate(config.traefik.httpsEntryUrl, t.host, 1000)));
      batch.forEach((t, j) => {
        const served = probed[j]?.served;
        const valid = served && served.names.some((n) => nameCovers(n, t.host));
        figures.push({ ...t, notAfter: valid ? Math.floor(served.notAfter.getTime() / 1000) : null });
      });
    }
    return figures;
  }

  return {
    figures(): Promise<CertificateFigure[]> {
      if (!last || Date.now() - last.at > REFRESH_MS) last = { at: Date.now(), figures: measure().catch(() => []) };
      return last.figures;
    },
  };
}
