// Traefik as Berth runs it: a static configuration Berth writes (HTTP entrypoint and API on
// loopback, file provider watching Berth's routes directory) and a supervised process.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, waitUntilReady, type Supervised } from './child-process.js';

export interface TraefikLayout {
  /** Directory holding traefik.yml and the log. */
  dir: string;
  routesDir: string;
  entryPort: number;
  apiPort: number;
  /** A default certificate spares Traefik an RSA key generation on every configuration change. */
  defaultCertificate?: { certFile: string; keyFile: string } | undefined;
}

/** The file provider's throttle: how long Traefik waits to batch file events before applying. */
export const PROVIDERS_THROTTLE = '10ms';

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
      traefik: { address: `127.0.0.1:${layout.apiPort}` },
    },
    api: { insecure: true, dashboard: false },
    ping: { entryPoint: 'traefik' },
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
  process: Supervised;
  stop(): Promise<void>;
}

export async function startTraefik(binary: string, layout: TraefikLayout, options: { pidFile?: string } = {}): Promise<TraefikProcess> {
  const configFile = writeTraefikConfig(layout);
  const proc = startProcess('traefik', binary, [`--configFile=${configFile}`], join(layout.dir, 'traefik.log'), options);
  const apiUrl = `http://127.0.0.1:${layout.apiPort}`;
  await waitUntilReady(proc, () => traefikAnswers(apiUrl), 30_000);
  return { apiUrl, entryUrl: `http://127.0.0.1:${layout.entryPort}`, process: proc, stop: () => proc.stop() };
}

export async function traefikAnswers(apiUrl: string): Promise<boolean> {
  const res = await fetch(`${apiUrl}/ping`, { signal: AbortSignal.timeout(1000) });
  return res.ok;
}
