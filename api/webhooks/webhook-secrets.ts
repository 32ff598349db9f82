// The webhook secrets deliveries are verified with: every GitHub App's, opened from the
// database and kept in memory briefly, so verification costs no database round trip. A
// signature that matches none is checked once more against a fresh read (an app created a
// moment ago by another API process).
import { Webhooks } from '@octokit/webhooks';
import type { Db } from '../../db/client.js';
import { listGitHubApps, openGitHubApp } from '../../db/queries/github-apps.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';

const FRESH_FOR_MS = 30_000;
const REREAD_AFTER_MS = 2_000;

export interface WebhookVerifier {
  /** True when `signature` is the HMAC-SHA256 of `payload` under one of the secrets. */
  verify(payload: string, signature: string): Promise<boolean>;
  /** Forget the cached secrets (after a new app is made in this process). */
  invalidate(): void;
}

export function createWebhookVerifier(db: Db, box: SecretBox): WebhookVerifier {
  let verifiers: Webhooks[] = [];
  let loadedAt = 0;
  let loading: Promise<void> | null = null;

  const load = () => {
    loading ??= (async () => {
      try {
        const apps = await listGitHubApps(db);
        verifiers = apps.map((row) => new Webhooks({ secret: openGitHubApp(box, row).webhookSecret }));
        loadedAt = Date.now();
      } finally {
        loading = null;
      }
    })();
    return loading;
  };

  const matchesAny = async (payload: string, signature: string) => {
    for (const w of verifiers) {
      // Constant time (crypto.timingSafeEqual inside @octokit/webhooks-methods).
      if (await w.verify(payload, signature)) return true;
    }
    return false;
  };

  return {
    async verify(payload, signature) {
      // Never read: wait. Stale: verify with what is known while a fresh read runs beside, so a
      // burst's requests do not queue behind it (a mismatch still waits for a fresh read below).
      if (loadedAt === 0) await load();
      else if (Date.now() - loadedAt > FRESH_FOR_MS) load().catch(() => undefined);
      if (await matchesAny(payload, signature)) return true;
      if (Date.now() - loadedAt < REREAD_AFTER_MS) return false;
      await load();
      return matchesAny(payload, signature);
    },
    invalidate() {
      loadedAt = 0;
    },
  };
}
