// Certificates about to expire, told to the channels that subscribe to certificate.expiring.
// Traefik renews an ACME certificate 30 days before it expires, so one that gets within the
// warning window (21 days by default) is one whose renewal has been failing for days; an
// uploaded one has to be replaced by a person. Each host name is probed through Traefik's HTTPS
// entrypoint (what clients really get); one event per certificate and host (its fingerprint is
// in the key), so a check that runs again sends nothing new until the certificate changes.
import { eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apps, environments } from '../../db/schema/index.js';
import { routeTls, type HttpsSettings } from '../../src/domain/https.js';
import { SEVERITY_OF } from '../../src/domain/notification-events.js';
import { environmentHosts } from '../../src/domain/route.js';
import type { CertificateCheckResult } from '../../src/domain/workflow-contracts.js';
import { nameCovers } from '../../src/tls/certificate-check.js';
import { probeCertificate } from '../../src/tls/certificate-probe.js';
import type { NotificationEmitter } from './emit-notifications.js';
import { hostDomains } from '../../src/domain/domain-pattern.js';

const DAY_MS = 86_400_000;
const PROBES_AT_ONCE = 8;

export interface CertificateNoticeDeps {
  db: Db;
  emitter: NotificationEmitter;
  appsDomain: string;
  httpsEntryUrl: string;
  httpsPort: number;
  publicUrl: string;
}

export function createCertificateNotices(deps: CertificateNoticeDeps) {
  return {
    async checkCertificates(input: { warnDays: number }): Promise<CertificateCheckResult> {
      const rows = await deps.db
        .select({ env: environments, app: apps.name, appId: apps.id, projectId: apps.projectId })
        .from(environments)
        .innerJoin(apps, eq(apps.id, environments.appId))
        .where(isNotNull(environments.https));
      const targets = rows.flatMap((r) => {
        const tls = routeTls(r.env.https as HttpsSettings, environmentHosts(r.app, r.env.name, deps.appsDomain, hostDomains(r.env)), deps.httpsPort);
        return (tls?.certHosts ?? []).filter((h) => !h.startsWith('*.')).map((host) => ({ ...r, host, mode: tls?.mode }));
      });
      const result: CertificateCheckResult = { checked: 0, expiring: [] };
      const now = Date.now();
      for (let i = 0; i < targets.length; i += PROBES_AT_ONCE) {
        const batch = targets.slice(i, i + PROBES_AT_ONCE);
        const probed = await Promise.all(batch.map((t) => probeCertificate(deps.httpsEntryUrl, t.host, 2000)));
        for (const [j, t] of batch.entries()) {
          const served = probed[j]?.served;
          // No certificate of its own yet (an order pending or failing): the domain status says why.
          if (!served || !served.names.some((n) => nameCovers(n, t.host))) continue;
          result.checked++;
          const daysLeft = Math.floor((served.notAfter.getTime() - now) / DAY_MS);
          if (daysLeft >= input.warnDays) continue;
          result.expiring.push({ host: t.host, daysLeft });
          const renew = t.mode === 'custom' ? 'upload a new certificate' : "Traefik renews 30 days ahead, so its renewals have been failing: see the domain's last ACME error";
          await deps.emitter.emit({
            type: 'certificate.expiring',
            key: `certificate:${t.host}:${served.fingerprint}:expiring`,
            severity: SEVERITY_OF['certificate.expiring'],
            title: `${t.app}/${t.env.name}: the certificate of ${t.host} ${daysLeft < 0 ? 'has expired' : `expires in ${daysLeft} days`}`,
            text: `${t.host}: ${served.issuer}, valid until ${served.notAfter.toISOString()}; ${renew}.`,
            projectId: t.projectId,
            appId: t.appId,
            environmentId: t.env.id,
            facts: { app: t.app, environment: t.env.name, host: t.host, notAfter: served.notAfter.toISOString(), daysLeft: String(daysLeft), source: t.mode === 'custom' ? 'uploaded' : 'acme' },
            link: `${deps.publicUrl}/ui/apps/${t.app}`,
            at: now,
          });
        }
      }
      return result;
    },
  };
}
