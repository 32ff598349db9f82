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
  const cache = new Map<string, { at: number; value: { row: GitHostRow; webhookSecret: string } | null }>();
  return {
    async get(id) {
      const hit = cache.get(id);
      if (hit && Date.now() - hit.at < FRESH_FOR_MS) return hit.value;
      const row = await getGitHost(db, id);
      const value = row ? { row, webhookSecret: openGitHost(box, row).webhookSecret } : null;
      if (cache.size > 1000) cache.clear();
      cache.set(id, { at: Date.now(), value });
      return value;
    },
  };
}
