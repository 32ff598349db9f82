// Cleanup (instance administrators): always a dry run first — what would go — then the same
// removal for real, after a confirmation that says what it will do.
import { useState } from 'hono/jsx/dom';
import type { paths } from '../../src/client/api-types.js';
import { api, describeError, unwrap } from '../api.js';
import { ErrorNote, Layout } from '../parts/layout.js';

type Result = paths['/cleanup']['post']['responses'][200]['content']['application/json'];

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export function CleanupPage() {
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (dryRun: boolean) => {
    if (!dryRun && !confirm(`Remove ${result?.candidates.length ?? 0} images and stale build cache? Releases kept for rollback are not touched.`)) return;
    setBusy(true);
    try {
      setResult(await unwrap(api.POST('/cleanup', { body: { dryRun } })));
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
    setBusy(false);
  };
  return (
    <Layout title="Cleanup">
      <p>Images Berth pulled or built that no retained release uses, stale build cache, and static uploads no deployment will use.</p>
      <ErrorNote error={error} />
      <p>
        <button type="button" disabled={busy} onClick={() => run(true)}>
          Dry run: what would go
        </button>{' '}
        {result?.dryRun && (
          <button type="button" class="danger" disabled={busy} onClick={() => run(false)}>
            Remove them
          </button>
        )}
      </p>
      {result && (
        <section class="card" aria-live="polite">
          <h2>{result.dryRun ? 'Would remove' : 'Removed'}</h2>
          <ul>
            {(result.dryRun ? result.candidates.map((c) => c.reference || c.imageId) : result.removed).map((x) => (
              <li>
                <code>{x}</code>
              </li>
            ))}
          </ul>
          <p>
            Build cache: {result.buildCache.records} records, {mb(result.buildCache.bytes)}
            {result.dryRun ? '' : `, ${mb(result.buildCache.reclaimedBytes)} reclaimed`}. Unused uploads: {result.uploads.length}.
          </p>
        </section>
      )}
    </Layout>
  );
}
