// Registers Berth's search attributes on a server that lacks them (a production cluster; the
// dev server gets them from its start flags). Idempotent.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';

export async function ensureSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
  const have = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.keys(SEARCH_ATTRIBUTES).filter((name) => !have.has(name));
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(
    missing.map((name) => [name, proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
  );
  await client.connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  return missing;
}
