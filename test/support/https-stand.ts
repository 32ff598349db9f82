// A Traefik of its own with HTTP and HTTPS entrypoints and ACME resolvers pointed at a real
// Pebble, which validates challenges against those very entrypoints. Everything on loopback,
// free ports and a temp directory, all stopped and removed by stop().
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerCertificate } from 'node:tls';
import { toolPaths } from '../../src/process/embedded-services.js';
import { startTraefik, type TraefikProcess } from '../../src/services/traefik.js';
import { freePort } from './free-port.js';
import { startPebble, type Pebble } from './pebble.js';

export interface HttpsStand {
  pebble: Pebble;
  traefik: TraefikProcess;
  httpPort: number;
  httpsPort: number;
  routesDir: string;
  logFile: string;
  /** Pebble's issuing root: what a client trusts to verify the certificates Traefik got. */
  root: string;
  /** Configuration of a Berth using this Traefik and checking DNS through Pebble's DNS. */
  berthEnv: Record<string, string>;
  stop(): Promise<void>;
}

export interface StandOptions {
  /** A dns-01 resolver with this lego provider, resolving through Pebble's DNS, no propagation wait. */
  dnsProvider?: string;
  /** Traefik waits for startTraefik(secrets): its DNS credentials come from a Berth's database. */
  deferTraefik?: boolean;
}

export async function startHttpsStand(toolsDir: string, options: StandOptions = {}): Promise<HttpsStand & { startTraefik(secrets: Record<string, string>): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-https-'));
  const tools = toolPaths(toolsDir);
  const [httpPort, httpsPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  let pebble: Pebble | null = null;
  let traefik: TraefikProcess | null = null;
  const stop = async () => {
    await traefik?.stop();
    await pebble?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    pebble = await startPebble({ toolsDir, dir, httpPort, tlsPort: httpsPort });
    const started = pebble;
    const routesDir = join(dir, 'routes');
    const logFile = join(dir, 'traefik', 'traefik.log');
    const acme = {
      directoryUrl: started.directoryUrl,
      email: 'ops@berth.test',
      caCertificates: started.serverCaFile,
      dnsProvider: options.dnsProvider,
      dnsResolvers: [started.dnsServer],
      dnsPropagationCheck: false,
    };
    const stand = {
      pebble: started,
      get traefik(): TraefikProcess {
        if (!traefik) throw new Error('Traefik is not started yet');
        return traefik;
      },
      httpPort,
      httpsPort,
      routesDir,
      logFile,
      root: await started.issuingRoot(),
      berthEnv: {
        BERTH_TRAEFIK_PORT: String(httpPort),
        BERTH_TRAEFIK_HTTPS_PORT: String(httpsPort),
        BERTH_TRAEFIK_API_URL: `http://127.0.0.1:${apiPort}`,
        BERTH_TRAEFIK_ENTRY_URL: `http://127.0.0.1:${httpPort}`,
        BERTH_TRAEFIK_ROUTES_DIR: routesDir,
        BERTH_TRAEFIK_LOG_FILE: logFile,
        BERTH_ACME_DIRECTORY_URL: started.directoryUrl,
        BERTH_DNS_CHECK_SERVERS: started.dnsServer,
        BERTH_SERVER_ADDRESSES: '127.0.0.1',
        ...(options.dnsProvider ? { BERTH_ACME_DNS_PROVIDER: options.dnsProvider } : {}),
      },
      async startTraefik(secrets: Record<string, string>) {
        traefik = await startTraefik(
          tools.traefik,
          { dir: join(dir, 'traefik'), routesDir, entryPort: httpPort, apiPort, httpsPort, defaultCertificate: { certFile: tools.certFile, keyFile: tools.keyFile }, acme },
          { secrets },
        );
      },
      stop,
    };
    if (!options.deferTraefik) await stand.startTraefik({});
    return stand;
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface HttpsAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** DNS names of the certificate the server sent. */
  names: string[];
  issuer: string;
  fingerprint: string;
}

/** One GET over HTTPS to 127.0.0.1:port as `host` (SNI, and Host with the port as browsers send it), trusting only `ca`, with `headers`. */
export function httpsGet(port: number, host: string, ca: string, path = '/', headers: Record<string, string> = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, servername: host, headers: { ...headers, host: `${host}:${port}` }, ca, agent: false, timeout: 5000 }, (res) => {
      const cert = (res.socket as unknown as { getPeerCertificate(): PeerCertificate }).getPeerCertificate();
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          headers: res.headers,
          names: (cert.subjectaltname ?? '').split(/,\s*/).filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
          issuer: cert.issuer?.CN ?? '',
          fingerprint: cert.fingerprint256,
        }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
