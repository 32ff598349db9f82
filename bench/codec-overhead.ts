// What encryption adds to a deploy: every payload of the recorded deploy histories
// (test/fixtures/histories, written before the codec: their payloads are plain) encrypted and
// decrypted by the payload codec, as a worker and client would on the way to Temporal and back,
// and the sealing a deploy does (its release's variables sealed once, opened for each
// container). Target: ≤ 5 ms per deploy. Runs without any service: `node --import tsx bench/codec-overhead.ts`.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Payload } from '@temporalio/common';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { KeyRing } from '../src/secrets/key-ring.js';
import { createSecretBox } from '../src/secrets/secret-box.js';
import { EncryptionCodec } from '../src/temporal/payload-codec.js';
import { median, percentile, printTable, type Row } from './stats.js';

const TARGET_MS = 5;
const ROUNDS = 30;
const FIXTURES = new URL('../test/fixtures/histories/', import.meta.url).pathname;

/** Every payload anywhere in a history (inputs, results, signals, markers, memos). */
function payloadsOf(value: unknown, out: Payload[] = []): Payload[] {
  if (!value || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    for (const v of value) payloadsOf(v, out);
    return out;
  }
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.payloads)) out.push(...(record.payloads as Payload[]));
  for (const [k, v] of Object.entries(record)) if (k !== 'payloads') payloadsOf(v, out);
  return out;
}

const files = readdirSync(FIXTURES).filter((f) => f.startsWith('deploy-') || f.startsWith('deployFromGit--'));
const deploys = files.map((f) => payloadsOf(historyFromJSON(JSON.parse(readFileSync(join(FIXTURES, f), 'utf8'))).events));
const perDeploy = deploys.map((p) => p.length);
const bytes = deploys.flat().reduce((n, p) => n + (p.data?.length ?? 0), 0) / deploys.flat().length;

const ring = new KeyRing(randomBytes(32));
const codec = new EncryptionCodec(ring);
const box = createSecretBox(ring);
const variables = JSON.stringify(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`SECRET_${i}`, randomBytes(24).toString('base64')])));

const WARM_UP = 5;
const timings: number[] = [];
const sealing: number[] = [];
for (let round = -WARM_UP; round < ROUNDS; round++) {
  for (const payloads of deploys) {
    const start = performance.now();
    // Each payload is encoded once by its sender and decoded by its reader (worker or client).
    const encoded = await codec.encode(payloads);
    await codec.decode(encoded);
    if (round >= 0) timings.push(performance.now() - start);
  }
  const start = performance.now();
  // A release's secret variables: sealed once, opened for each of its (here two) containers.
  const sealed = box.seal(variables, 'release-variables:rel_bench');
  box.open(sealed, 'release-variables:rel_bench');
  box.open(sealed, 'release-variables:rel_bench');
  if (round >= 0) sealing.push(performance.now() - start);
}

const p50 = median(timings) + median(sealing);
const rows: Row[] = [
  {
    benchmark: `codec per deploy (${Math.min(...perDeploy)}–${Math.max(...perDeploy)} payloads, ~${bytes.toFixed(0)} B each)`,
    figure: `${median(timings).toFixed(2)} ms p50, ${percentile(timings, 95).toFixed(2)} ms p95`,
    baseline: '0 (no codec)',
    ratio: '-',
    target: `≤ ${TARGET_MS} ms`,
    met: percentile(timings, 95) <= TARGET_MS,
  },
  { benchmark: 'sealing per deploy (seal once, open twice, 20 secrets)', figure: `${(median(sealing) * 1000).toFixed(0)} µs p50`, baseline: '-', ratio: '-', target: '-', met: null },
  { benchmark: 'both, per deploy', figure: `${p50.toFixed(2)} ms p50`, baseline: '-', ratio: '-', target: `≤ ${TARGET_MS} ms`, met: p50 <= TARGET_MS },
  {
    benchmark: 'codec per payload (encode + decode)',
    figure: `${((median(timings) / (deploys.flat().length / deploys.length)) * 1000).toFixed(0)} µs`,
    baseline: '-',
    ratio: '-',
    target: '-',
    met: null,
  },
];
printTable(rows);
