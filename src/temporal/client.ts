// Temporal client for the API and the CLI.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config.js';
import { temporalTls } from './tls.js';

export async function createTemporalClient(temporal: Pick<Config['temporal'], 'address' | 'namespace'> & { tls?: Config['temporal']['tls'] }): Promise<Client> {
  const tls = temporalTls(temporal.tls ?? null);
  const connection = await Connection.connect({ address: temporal.address, connectTimeout: 5000, ...(tls ? { tls } : {}) });
  return new Client({ connection, namespace: temporal.namespace });
}

/** Link to one workflow in the Temporal Web UI. */
export function workflowUiUrl(temporal: Pick<Config['temporal'], 'uiUrl' | 'namespace'>, workflowId: string): string {
  return `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
