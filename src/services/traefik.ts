// Traefik as Berth runs it: a static configuration Berth writes (HTTP and HTTPS entrypoints
// and the API on loopback, file provider watching Berth's routes directory, one ACME
// certificate resolver per challenge) and a supervised process.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AcmeConfig } from '../config.js';
import { ACME_RESOLVERS } from '../domain/https.js';
import { startProcess, waitUntilReady, type Supervised } from './child-process.js';

/** What Traefik's certificate resolvers need (the settings' own shape); the DNS provider's credentials come as `env`. */
export type TraefikAcme = AcmeConfig;

export interface TraefikLayout {
  /** Directory holding traefik.yml and the log. */
  dir: string;
  routesDir: string;
  entryPort: number;
  apiPort: number;
  /** A default certificate spares Traefik an RSA key generation on every configuration change. */
  defaultCertificate?: { certFile: string; keyFile: string } | undefined;
  /** The HTTPS entrypoint; without it Traefik serves plain HTTP only. */
  httpsPort?: number | undefined;
  acme?: TraefikAcme | undefined;
}

/** Where the resolvers keep their account and certificates (Traefik makes it mode 0600). */
export function acmeStorage(layout: Pick<TraefikLayout, 'dir'>): string {
  return join(layout.dir, 'acme.json');
}

function certificateResolvers(layout: TraefikLayout): object | undefined {
  const acme = layout.acme;
  if (!acme || !layout.httpsPort) return undefined;
  const base = { caServer: acme.directoryUrl, storage: acmeStorage(layout), keyType: 'EC256', ...(acme.email ? { email: acme.email } : {}) };
  return {
    [ACME_RESOLVERS['http-01']]: { acme: { ...base, httpChallenge: { entryPoint: 'web' } } },
    [ACME_RESOLVERS['tls-alpn-01']]: { acme: { ...base, tlsChallenge: {} } },
    ...(acme.dnsProvider
      ? {
          [ACME_RESOLVERS['dns-01']]: {
            acme: {
              ...base,
              dnsChallenge: {
                provider: acme.dnsProvider,
                ...(acme.dnsResolvers.length ? { resolvers: acme.dnsResolvers } : {}),
                ...(acme.dnsPropagationCheck ? {} : { propagation: { disableChecks: true } }),
              },
            },
          },
        }
      : {}),
  };
}

/** The file provider's throttle: how long Traefik waits to batch file events before applying. */
export const PROVIDERS_THROTTLE = '10ms';

/** Latency buckets (seconds) of Traefik's histograms: fine below a second, where thresholds sit. */
export const METRIC_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];

/** Name of the dynamic file holding the TLS defaults; route files never use this name. */
export const TLS_DEFAULTS_FILE = '_berth-tls.yml';

export function writeTraefikConfig(layout: TraefikLayout): string {
  mkdirSync(layout.dir, { recursive: true });
  mkdirSync(layout.routesDir, { recursive: true });
  // JSON is YAML: Traefik's file provider reads it as such.
  const staticConfig = {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    entryPoints: {
      web: {
        address: `127.0.0.1:${layout.entryPort}`,
        transport: { lifeCycle: { graceTimeOut: '5s' } },
      },
      ...(layout.httpsPort
        ? { websecure: { address: `127.0.0.1:${layout.httpsPort}`, transport: { lifeCycle: { graceTimeOut: '5s' } } } }
        : {}),
      traefik: { address: `127.0.0.1:${layout.apiPort}` },
    },
    ...(certificateResolvers(layout) ? { certificatesResolvers: certificateResolvers(layout) } : {}),
    api: { insecure: true, dashboard: false },
    ping: { entryPoint: 'traefik' },
    // Request rate, latency and status per router and service (one of each per environment,
    // named berth-<environment id>), served on the loopback API entrypoint at /metrics; the
    // post-switch watch judges a new release by its service's counts and latencies.
    metrics: { prometheus: { entryPoint: 'traefik', addEntryPointsLabels: true, addRoutersLabels: true, addServicesLabels: true, buckets: METRIC_BUCKETS } },
    providers: {
      providersThrottleDuration: PROVIDERS_THROTTLE,
      file: { directory: layout.routesDir, watch: true },
    },
    log: { level: 'ERROR' },
  };
  const file = join(layout.dir, 'traefik.yml');
  writeFileSync(file, JSON.stringify(staticConfig, null, 2));
  if (layout.defaultCertificate && existsSync(layout.defaultCertificate.certFile)) {
    const tls = { tls: { stores: { default: { defaultCertificate: layout.defaultCertificate } } } };
    writeFileSync(join(layout.routesDir, TLS_DEFAULTS_FILE), JSON.stringify(tls, null, 2));
  }
  return file;
}

export interface TraefikProcess {
  apiUrl: string;
  entryUrl: string;
  /** https://127.0.0.1:<port> when the layout has an HTTPS entrypoint. */
  httpsEntryUrl: string | null;
  process: Supervised;
  stop(): Promise<void>;
}

/** Traefik's environment: the ACME server's CA and the DNS provider's credentials (`secrets`). */
export function traefikEnv(layout: TraefikLayout, secrets: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...(layout.acme?.caCertificates ? { LEGO_CA_CERTIFICATES: layout.acme.caCertificates } : {}), ...secrets };
}

export async function startTraefik(
  binary: string,
  layout: TraefikLayout,
  options: { pidFile?: string; secrets?: Record<string, string> } = {},
): Promise<TraefikProcess> {
  const configFile = writeTraefikConfig(layout);
  const env = traefikEnv(layout, options.secrets);
  const proc = startProcess('traefik', binary, [`--configFile=${configFile}`], join(layout.dir, 'traefik.log'), { ...(options.pidFile ? { pidFile: options.pidFile } : {}), env });
  const apiUrl = `http://127.0.0.1:${layout.apiPort}`;
  await waitUntilReady(proc, () => traefikAnswers(apiUrl), 30_000);
  const httpsEntryUrl = layout.httpsPort ? `https://127.0.0.1:${layout.httpsPort}` : null;
  return { apiUrl, entryUrl: `http://127.0.0.1:${layout.entryPort}`, httpsEntryUrl, process: proc, stop: () => proc.stop() };
}

export async function traefikAnswers(apiUrl: string): Promise<boolean> {
  const res = await fetch(`${apiUrl}/ping`, { signal: AbortSignal.timeout(1000) });
  return res.ok;
}
