// Temporal histories as text, for scanning: Temporal keeps Berth's payloads encrypted
// (src/temporal/payload-codec.ts), so a scan reads both what Temporal stores (base64 data read
// as text) and the payloads decoded with Berth's key ring, which is what a reader with the key
// would see. A secret must be in neither.
import type { Payload } from '@temporalio/common';
import type { KeyRing } from '../../src/secrets/key-ring.js';
import { EncryptionCodec } from '../../src/temporal/payload-codec.js';

/** The payloads of the histories, decrypted with `ring` and read as text. */
export async function historyPayloadText(ring: KeyRing, histories: unknown): Promise<string> {
  const payloads: Payload[] = [];
  const collect = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    if (Array.isArray(value)) return value.forEach(collect);
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.payloads)) payloads.push(...(record.payloads as Payload[]));
    Object.values(record).forEach(collect);
  };
  collect(histories);
  const decoded = await new EncryptionCodec(ring).decode(payloads);
  return decoded.map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).join('\n');
}

/** The histories as Temporal keeps them (payloads as text) followed by their decrypted payloads. */
export async function historyText(ring: KeyRing, histories: unknown): Promise<string> {
  const raw = JSON.stringify(histories, (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
  return `${raw}\n${await historyPayloadText(ring, histories)}`;
}
