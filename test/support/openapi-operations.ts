// The operations of Berth's own OpenAPI document, as the access tests walk them: method, path,
// declared security and access, and a request that reaches each (path parameters filled in).
import type { Access } from '../../api/access/access-spec.js';
import type { TestBerth } from './berth.js';
import type { Json } from './json.js';

export interface Operation {
  method: string;
  /** As documented, under /api/v1: /apps/{app}/environments/{env}. */
  path: string;
  public: boolean;
  access: Access;
  hasBody: boolean;
}

export async function listOperations(berth: TestBerth): Promise<Operation[]> {
  const doc = (await (await berth.app.request('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, Json>> };
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      ops.push({ method: method.toUpperCase(), path, public: Array.isArray(op.security) && op.security.length === 0, access: op['x-berth-access'], hasBody: op.requestBody !== undefined });
    }
  }
  return ops;
}

/** Fills {param}s with the values given, or with well-formed values of the right shape. */
export function fillPath(path: string, values: Record<string, string> = {}): string {
  const defaults: Record<string, string> = {
    project: 'somewhere',
    app: 'someapp',
    env: 'prod',
    id: 'dep_0000000000aaaaaaaaaa',
    name: 'SOME_SECRET',
    key: 'SOME_KEY',
    number: '1',
    userId: 'usr_0000000000aaaaaaaaaa',
  };
  return `/api/v1${path.replace(/\{(\w+)\}/g, (_, p: string) => values[p] ?? defaults[p] ?? 'x')}`;
}
