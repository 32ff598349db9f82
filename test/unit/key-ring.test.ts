// Sealing under key ids: the key ring, values in the old format (no key id), re-sealing, the
// wrapped keys a rotation stores, and the Temporal payload codec over the same ring.
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { KeyRing, masterKeyId, unwrapKey, wrapKey } from '../../src/secrets/key-ring.js';
import { createSecretBox, SecretOpenError } from '../../src/secrets/secret-box.js';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA, PayloadDecodeError } from '../../src/temporal/payload-codec.js';
import { defaultPayloadConverter } from '@temporalio/common';

/** A value as Berth sealed it before keys had ids: v1.<nonce>.<tag>.<body>, AES-256-GCM, context as AAD. */
function sealV1(key: Buffer, plaintext: string, context: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The ring after a rotation added `id` (as the database would list it). */
function rotated(master: Buffer, id: string): KeyRing {
  const ring = new KeyRing(master);
  ring.apply([
    { id: ring.masterId, wrapped: null, state: 'active' },
    { id, wrapped: wrapKey(master, id, randomBytes(32)), state: 'current' },
  ]);
  return ring;
}

describe('sealing with key ids', () => {
  const master = randomBytes(32);

  test('a value names the key that sealed it; the master key’s id is stable and says nothing of the key', () => {
    const box = createSecretBox(master);
    const sealed = box.seal('hunter2', 'build-secret:app_1:a');
    expect(sealed.startsWith(`v2.${masterKeyId(master)}.`)).toBe(true);
    expect(box.keyIdOf(sealed)).toBe(masterKeyId(master));
    expect(masterKeyId(master)).toBe(new KeyRing(master).masterId);
    expect(masterKeyId(master)).not.toContain(master.toString('hex').slice(0, 8));
    expect(box.open(sealed, 'build-secret:app_1:a')).toBe('hunter2');
  });

  test('values in the old format (no key id) still open, with the configured key only', () => {
    const old = sealV1(master, 'legacy secret', 'environment-variable:env_1:TOKEN');
    const box = createSecretBox(rotated(master, 'key_new1'));
    expect(box.keyIdOf(old)).toBeNull();
    expect(box.open(old, 'environment-variable:env_1:TOKEN')).toBe('legacy secret');
    expect(() => box.open(old, 'environment-variable:env_2:TOKEN')).toThrow(SecretOpenError);
    expect(() => createSecretBox(randomBytes(32)).open(old, 'environment-variable:env_1:TOKEN')).toThrow(SecretOpenError);
  });

  test('after a rotation new values go under the new key, old ones still open, and re-sealing moves them', () => {
    const before = createSecretBox(master).seal('s3cret', 'project-variable:prj_1:K');
    const box = createSecretBox(rotated(master, 'key_new1'));
    const after = box.seal('s3cret', 'project-variable:prj_1:K');
    expect(box.keyIdOf(after)).toBe('key_new1');
    expect(box.open(before, 'project-variable:prj_1:K')).toBe('s3cret');
    const moved = box.reseal(before, 'project-variable:prj_1:K', 'key_new1');
    expect(box.keyIdOf(moved)).toBe('key_new1');
    expect(box.open(moved, 'project-variable:prj_1:K')).toBe('s3cret');
    // Bound to its row as before: a re-sealed value moved elsewhere does not open.
    expect(() => box.open(moved, 'project-variable:prj_2:K')).toThrow(SecretOpenError);
    // A process that has not learnt the key yet refuses, naming the key (never the value).
    expect(() => createSecretBox(master).open(after, 'project-variable:prj_1:K')).toThrow(/key_new1/);
  });

  test('a stored key opens only with its master key and only under its own id', () => {
    const key = randomBytes(32);
    const wrapped = wrapKey(master, 'key_a', key);
    expect(unwrapKey(master, 'key_a', wrapped).equals(key)).toBe(true);
    expect(() => unwrapKey(master, 'key_b', wrapped)).toThrow(/does not open/);
    expect(() => unwrapKey(randomBytes(32), 'key_a', wrapped)).toThrow(/does not open/);
    expect(() => new KeyRing(randomBytes(32)).apply([{ id: 'key_a', wrapped, state: 'current' }])).toThrow(/BERTH_SECRET_KEY/);
  });

  test('a changed key id, nonce, tag or body does not open', () => {
    const box = createSecretBox(rotated(master, 'key_new1'));
    const sealed = box.seal('value', 'ctx');
    const parts = sealed.split('.');
    for (const i of [1, 2, 3, 4]) {
      const changed = [...parts];
      const p = changed[i] as string;
      changed[i] = (p[0] === 'A' ? 'B' : 'A') + p.slice(1);
      expect(() => box.open(changed.join('.'), 'ctx')).toThrow(SecretOpenError);
    }
  });
});

describe('Temporal payload codec', () => {
  const master = randomBytes(32);
  const secret = 'tok_' + randomBytes(8).toString('hex');
  const payload = defaultPayloadConverter.toPayload({ deliveryId: secret });

  test('encrypts under the current key, naming it, with no plaintext left; decodes back', async () => {
    const ring = rotated(master, 'key_new1');
    const codec = new EncryptionCodec(ring);
    const [encoded] = await codec.encode([payload]);
    expect(Buffer.from(encoded?.metadata?.encoding as Uint8Array).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encoded?.metadata?.[KEY_ID_METADATA] as Uint8Array).toString()).toBe('key_new1');
    expect(Buffer.from(encoded?.data as Uint8Array).includes(secret)).toBe(false);
    const [decoded] = await codec.decode([encoded as typeof payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as typeof payload)).toEqual({ deliveryId: secret });
  });

  test('payloads written before the codec pass through; ones under an older key still decode', async () => {
    const oldRing = new KeyRing(master);
    const [underMaster] = await new EncryptionCodec(oldRing).encode([payload]);
    const codec = new EncryptionCodec(rotated(master, 'key_new1'));
    const [plain, older] = await codec.decode([payload, underMaster as typeof payload]);
    expect(plain).toBe(payload);
    expect(defaultPayloadConverter.fromPayload(older as typeof payload)).toEqual({ deliveryId: secret });
  });

  test('an unknown key or changed bytes are refused', async () => {
    const [encoded] = await new EncryptionCodec(rotated(master, 'key_new1')).encode([payload]);
    await expect(new EncryptionCodec(new KeyRing(master)).decode([encoded as typeof payload])).rejects.toThrow(PayloadDecodeError);
    const data = Buffer.from(encoded?.data as Uint8Array);
    data[20] = (data[20] as number) ^ 1;
    await expect(new EncryptionCodec(rotated(master, 'key_new1')).decode([{ ...encoded, data }])).rejects.toThrow(PayloadDecodeError);
  });
});
