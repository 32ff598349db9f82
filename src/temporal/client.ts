// Temporal client for the API and the CLI.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config.js';
import type { KeyRing } from '../secrets/key-ring.js';
import { berthDataConverter } from './payload-codec.js';
import { temporalTls } from './tls.js';

/**
 * With a key ring, every payload the client sends is encrypted and every one it reads is
 * decrypted (src/temporal/payload-codec.ts); only a client that sends no payloads (search
 * attribute set-up) goes without.
 */
export async function createTemporalClient(temporal: Pick<Config['temporal'], 'address' | 'namespace'> & { tls?: Config['temporal']['tls'] }, ring?: KeyRing): Promise<Client> {
  const tls = temporalTls(temporal.tls ?? null);
  const connection = await Connection.connect({ address: temporal.address, connectTimeout: 5000, ...(tls ? { tls } : {}) });
  return new Client({ connection, namespace: temporal.namespace, ...(ring ? { dataConverter: berthDataConverter(ring) } : {}) });
}

/** Link to one workflow in the Temporal Web UI. */
export function workflowUiUrl(temporal: Pick<Config['temporal'], 'uiUrl' | 'namespace'>, workflowId: string): string {
  return `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
