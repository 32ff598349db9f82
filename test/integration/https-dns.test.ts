// DNS-01 and a wildcard, against a real Pebble: the DNS provider's credentials go in through
// `berth admin set-dns-credentials` (stdin), rest sealed in the database, and reach Traefik
// only as its environment. The provider is lego's `exec`, whose script writes the TXT record
// into Pebble's challenge test server — the DNS Pebble itself asks.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { openDnsCredentials } from '../../db/queries/acme-dns.js';
import * as schema from '../../db/schema/index.js';
import { createSecretBox } from '../../src/secrets/secret-box.js';
import { startBerth, type TestBerth } from '../support/berth.js';
import { runCli } from '../support/berth-cli.js';
import { createImageApp, deploy, type AppFixture } from '../support/fixtures.js';
import { httpsGet, startHttpsStand } from '../support/https-stand.js';
import { buildHello, removeImages } from '../support/images.js';
import { waitFor, waitForDeployment } from '../support/wait.js';

const TAG = 'berth-test/https-dns:v1';
const WILDCARD = '*.wild.berth.test';
let stand: Awaited<ReturnType<typeof startHttpsStand>>;
let berth: TestBerth;
let fx: AppFixture;
let scriptDir: string;
/** A value that stands for a provider's API token: it must never be readable at rest. */
const TOKEN = `dns-token-${Date.now()}-never-in-plain-text`;

beforeAll(async () => {
  buildHello(TAG, { version: 'v1' });
  stand = await startHttpsStand(inject('services').toolsDir, { dnsProvider: 'exec', deferTraefik: true });
  berth = await startBerth({ env: stand.berthEnv });
  scriptDir = mkdtempSync(join(tmpdir(), 'berth-dns-exec-'));
  // lego's exec provider: <script> present|cleanup <fqdn> <value>.
  const script = join(scriptDir, 'txt.sh');
  writeFileSync(
    script,
    `#!/bin/sh
[ "$DNS_TOKEN" = "${TOKEN}" ] || { echo "wrong token" >&2; exit 1; }
case "$1" in
  present) curl -fsS -X POST -d "{\\"host\\":\\"$2\\",\\"value\\":\\"$3\\"}" "$CHALL_URL/set-txt" ;;
  cleanup) curl -fsS -X POST -d "{\\"host\\":\\"$2\\"}" "$CHALL_URL/clear-txt" ;;
esac
`,
  );
  chmodSync(script, 0o700);
  const stored = await runCli(['admin', 'set-dns-credentials', '--provider', 'exec'], {
    env: berth.env,
    input: `EXEC_PATH=${script}\nCHALL_URL=${stand.pebble.challengeServerUrl}\nDNS_TOKEN=${TOKEN}\n`,
  });
  expect(stored.code, stored.stderr).toBe(0);
  expect(JSON.parse(stored.stdout)).toEqual({ provider: 'exec', variables: ['CHALL_URL', 'DNS_TOKEN', 'EXEC_PATH'] });
  // As `berth dev` does: opened from the database, handed to Traefik as its environment.
  const box = createSecretBox(Buffer.from(berth.env.BERTH_SECRET_KEY as string, 'base64'));
  await stand.startTraefik(await openDnsCredentials(berth.database.db, box, 'exec'));
  fx = await createImageApp(berth, {
    app: 'wild',
    healthCheck: { intervalMs: 100, startPeriodMs: 500, failureThreshold: 3 },
    environment: { domains: [WILDCARD], https: { mode: 'auto', challenge: 'dns-01' } },
  });
}, 180_000);

afterAll(async () => {
  await berth?.close();
  await stand?.stop();
  if (scriptDir) rmSync(scriptDir, { recursive: true, force: true });
  removeImages(TAG);
});

describe('DNS-01', () => {
  test('the provider credentials are sealed at rest', async () => {
    const rows = await berth.database.db.select().from(schema.acmeDnsCredentials);
    expect(rows.map((r) => r.provider)).toEqual(['exec']);
    for (const [name, table] of Object.entries(schema)) {
      if (typeof table !== 'object' || table === null || !('getSQL' in table)) continue;
      expect(JSON.stringify(await berth.database.db.select().from(table as typeof schema.users)).includes(TOKEN), name).toBe(false);
    }
  });

  test('a wildcard domain gets a wildcard certificate through dns-01', async () => {
    const d = await waitForDeployment(berth, await deploy(berth, fx, TAG));
    expect(d.status, d.message).toBe('succeeded');
    const answer = await waitFor('a wildcard certificate', async () => httpsGet(stand.httpsPort, 'any.wild.berth.test', stand.root).catch(() => undefined), 90_000, 250);
    expect(answer.names).toEqual([WILDCARD]);
    expect(answer.body.trim()).toBe('v1');
    expect((await httpsGet(stand.httpsPort, 'other.wild.berth.test', stand.root)).names).toEqual([WILDCARD]);
    const status = (await berth.api('GET', `${fx.base}/domains`)).body.items.find((i: { host: string }) => i.host === WILDCARD);
    expect(status).toMatchObject({ state: 'issued', source: 'acme' });
  }, 120_000);
});
