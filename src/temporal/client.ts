// Temporal client for the API and the CLI.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config.js';

export async function createTemporalClient(temporal: Pick<Config['temporal'], 'address' | 'namespace'>): Promise<Client> {
  const connection = await Connection.connect({ address: temporal.address, connectTimeout: 5000 });
  return new Client({ connection, namespace: temporal.namespace });
}

/** Link to one workflow in the Temporal Web UI. */
export function workflowUiUrl(temporal: Pick<Config['temporal'], 'uiUrl' | 'namespace'>, workflowId: string): string {
  return `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
