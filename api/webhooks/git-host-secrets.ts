// The secrets a git host connection's deliveries are verified with, opened from the database
// and kept in memory briefly so verification costs no round trip per delivery.
import type { Db } from '../../db/client.js';
import { getGitHost, openGitHost, type GitHostRow } from '../../db/queries/git-hosts.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';

const FRESH_FOR_MS = 5_000;

export interface GitHostSecretCache {
  /** The connection and its webhook secret, or null when there is no such connection. */
  get(id: string): Promise<{ row: GitHostRow; webhookSecret: string } | null>;
}

export function createGitHostSecretCache(db: Db, box: SecretBox): GitHostSecretCache {
  type Value = { row: GitHostRow; webhookSecret: string } | null;
  const cache = new Map<string, { at: number; value: Value }>();
  const loading = new Map<string, Promise<Value>>();
  // One read per connection at a time, however many deliveries wait for it.
  const load = (id: string) => {
    let pending = loading.get(id);
    if (!pending) {
      pending = (async () => {
        try {
          const row = await getGitHost(db, id);
          const value = row ? { row, webhookSecret: openGitHost(box, row).webhookSecret } : null;
          if (cache.size > 1000) cache.clear();
          cache.set(id, { at: Date.now(), value });
          return value;
        } finally {
          loading.delete(id);
        }
      })();
      loading.set(id, pending);
    }
    return pending;
  };
  return {
    async get(id) {
      const hit = cache.get(id);
      if (!hit) return load(id);
      // Stale: answered from what is known while a fresh read runs beside (a burst's requests
      // do not queue behind it); a removed or changed connection shows a moment later.
      if (Date.now() - hit.at >= FRESH_FOR_MS) load(id).catch(() => undefined);
      return hit.value;
    },
  };
}
