// Pebble, Let's Encrypt's test ACME server, with its challenge test server as the DNS server it
// resolves names with (every name answers 127.0.0.1). Challenges are really validated: Pebble
// connects to the HTTP and TLS ports given, which are Traefik's entrypoints in the tests.
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { startProcess, waitUntilReady } from '../../src/services/child-process.js';
import { freePort } from './free-port.js';

/** Keep in step with PEBBLE_VERSION in scripts/setup.sh. */
export const PEBBLE_VERSION = '2.10.3';

export interface Pebble {
  directoryUrl: string;
  /** The CA of Pebble's own HTTPS certificate: what Traefik (lego) must trust to talk to it. */
  serverCaFile: string;
  /** The root Pebble signs issued certificates with (made fresh at each start), PEM. */
  issuingRoot(): Promise<string>;
  /** host:port of the challenge test server's DNS. */
  dnsServer: string;
  /** The challenge test server's management API (set-txt, add-a …). */
  challengeServerUrl: string;
  /** Makes `host` resolve to `addresses` instead of 127.0.0.1. */
  setAddress(host: string, addresses: string[]): Promise<void>;
  stop(): Promise<void>;
}

function pebbleDir(toolsDir: string): string {
  return join(toolsDir, `pebble-${PEBBLE_VERSION}`);
}

/** GET or POST over HTTPS trusting only `ca` (Pebble's management interface). */
function httpsCall(url: string, ca: string, method = 'GET', body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    // Pebble answers 400 to a request without a User-Agent, as ACME asks of clients.
    const req = request(url, { method, ca, timeout: 5000, headers: { 'user-agent': 'berth-tests' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

export async function startPebble(options: { toolsDir: string; dir: string; httpPort: number; tlsPort: number }): Promise<Pebble> {
  const bin = pebbleDir(options.toolsDir);
  const certs = join(bin, 'certs');
  const [dnsPort, challMgmtPort, acmePort, mgmtPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dnsServer = `127.0.0.1:${dnsPort}`;
  // Only its DNS and management interface: Traefik answers the challenges, not this server.
  const chall = startProcess(
    'pebble-challtestsrv',
    join(bin, 'pebble-challtestsrv'),
    ['-defaultIPv4', '127.0.0.1', '-defaultIPv6', '', '-dnsserver', dnsServer, '-management', `127.0.0.1:${challMgmtPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '', '-doh', ''],
    join(options.dir, 'challtestsrv.log'),
  );
  const challUrl = `http://127.0.0.1:${challMgmtPort}`;
  try {
    await waitUntilReady(chall, async () => (await fetch(`${challUrl}/`, { signal: AbortSignal.timeout(500) })).status > 0, 15_000);
  } catch (err) {
    await chall.stop();
    throw err;
  }
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${mgmtPort}`,
      certificate: join(certs, 'cert.pem'),
      privateKey: join(certs, 'key.pem'),
      httpPort: options.httpPort,
      tlsPort: options.tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  };
  const configFile = join(options.dir, 'pebble.json');
  writeFileSync(configFile, JSON.stringify(config));
  const serverCaFile = join(certs, 'pebble.minica.pem');
  const ca = readFileSync(serverCaFile, 'utf8');
  // No sleeps before validating, no nonces rejected at random: quick and deterministic, while
  // every challenge is still validated for real (PEBBLE_VA_ALWAYS_VALID is not set).
  const { PEBBLE_VA_ALWAYS_VALID: _alwaysValid, ...inherited } = process.env;
  const env = { ...inherited, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' };
  const pebble = startProcess('pebble', join(bin, 'pebble'), ['-config', configFile, '-dnsserver', dnsServer], join(options.dir, 'pebble.log'), { env });
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  try {
    await waitUntilReady(pebble, async () => (await httpsCall(directoryUrl, ca)).status === 200, 15_000);
  } catch (err) {
    await pebble.stop();
    await chall.stop();
    throw err;
  }
  return {
    directoryUrl,
    serverCaFile,
    dnsServer,
    challengeServerUrl: challUrl,
    async issuingRoot() {
      const res = await httpsCall(`https://127.0.0.1:${mgmtPort}/roots/0`, ca);
      if (res.status !== 200) throw new Error(`Pebble's root: HTTP ${res.status}`);
      return res.text;
    },
    async setAddress(host, addresses) {
      const res = await fetch(`${challUrl}/add-a`, { method: 'POST', body: JSON.stringify({ host, addresses }) });
      if (!res.ok) throw new Error(`challtestsrv add-a: HTTP ${res.status}`);
    },
    async stop() {
      await pebble.stop();
      await chall.stop();
    },
  };
}
