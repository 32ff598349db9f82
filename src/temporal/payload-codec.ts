// Temporal payload encryption: every payload Berth's clients and workers send (workflow and
// activity inputs and results, signals, updates, queries, memos, schedule arguments) is sealed
// with AES-256-GCM under the key ring's current key before it leaves the process, so Temporal's
// history holds ciphertext only. The key id travels in the payload's metadata, so payloads
// written under an older key still decode after a rotation, and payloads written before this
// codec existed (no encryption metadata) pass through unchanged.
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { decrypt, encrypt, type KeyRing } from '../secrets/key-ring.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
/** Bound into every payload's ciphertext: a sealed column value can never pass for a payload. */
const AAD = 'temporal-payload';
// A CommonJS module: its namespaces are reached through the default export.
const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export class PayloadDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecodeError';
  }
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        const { id, key } = this.ring.current();
        return {
          metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(id) },
          data: encrypt(key, PayloadMessage.encode(payload).finish(), AAD),
        };
      }),
    );
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    const out: Payload[] = [];
    for (const payload of payloads) {
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) {
        out.push(payload);
        continue;
      }
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      if (!id) throw new PayloadDecodeError('encrypted payload without a key id');
      let key = this.ring.key(id);
      if (!key) {
        // A key another process added since this one last read the ring.
        await this.ring.reload?.();
        key = this.ring.key(id);
      }
      if (!key) throw new PayloadDecodeError(`payload encrypted under key ${id}, which is not in the key ring`);
      let plain: Buffer;
      try {
        plain = decrypt(key, payload.data ?? new Uint8Array(), AAD);
      } catch {
        throw new PayloadDecodeError(`payload under key ${id} does not decrypt`);
      }
      out.push(PayloadMessage.decode(plain));
    }
    return out;
  }
}

/** The data converter every Temporal client, worker and replayer of Berth's uses. */
export function berthDataConverter(ring: KeyRing): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(ring)] };
}
