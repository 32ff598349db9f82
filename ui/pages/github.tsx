// GitHub (instance administrators): the GitHub App (made through GitHub's manifest flow, which
// Berth's own form page posts), its installations and repositories, and recent webhook
// deliveries with each app's verdict.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap } from '../api.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { When } from '../parts/status.js';
import { Table } from '../parts/table.js';
import { useLoad } from '../parts/use-load.js';
import { InstallationRow } from '../parts/installation.js';
import { Link } from '../router.js';

export function GitHubPage() {
  const ghApp = useLoad(() => api.GET('/github/app').then((r) => (r.response.status === 404 ? null : unwrap(Promise.resolve(r)))), []);
  const installations = useLoad(() => unwrap(api.GET('/github/installations')), []);
  const deliveries = useLoad(() => unwrap(api.GET('/github/deliveries', { params: { query: { limit: 50 } } })), []);
  const [error, setError] = useState<string | null>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = (n: string) => (form.elements.namedItem(n) as HTMLInputElement).value.trim();
    try {
      const start = await unwrap(api.POST('/github/app/manifest', { body: { name: v('name') || 'Berth', ...(v('org') ? { organization: v('org') } : {}) } }));
      location.assign(start.formUrl);
    } catch (err) {
      setError(describeError(err));
    }
  };
  // Where GitHub's installation page sends a person back to (the installation callback).
  const query = new URLSearchParams(location.search);
  const installed = query.get('installed');
  return (
    <Layout title="GitHub">
      {installed && (
        <p class="card" role="status">
          Installed (installation {installed}): its repositories are being synced.
        </p>
      )}
      {query.get('requested') && (
        <p class="card" role="status">
          Installation requested: an owner of the organisation has to approve it on GitHub.
        </p>
      )}
      <ErrorNote error={error ?? ghApp.error} />
      <section class="card" aria-labelledby="gh-app">
        <h2 id="gh-app">GitHub App</h2>
        {ghApp.data ? (
          <p>
            <a href={ghApp.data.htmlUrl}>{ghApp.data.name}</a> (<code>{ghApp.data.slug}</code>)
          </p>
        ) : (
          <form onSubmit={create} class="inline" aria-label="Create the GitHub App">
            <label>
              App name
              <input name="name" placeholder="Berth" />
            </label>
            <label>
              Organisation (optional)
              <input name="org" />
            </label>
            <button type="submit">Create on GitHub</button>
          </form>
        )}
      </section>
      <h2>Installations</h2>
      <ErrorNote error={installations.error} />
      {installations.data?.items.length === 0 && <p class="muted">Not installed anywhere yet.</p>}
      <ul class="plain">
        {(installations.data?.items ?? []).map((i) => (
          <InstallationRow installation={i} />
        ))}
      </ul>
      <h2>Recent deliveries</h2>
      <ErrorNote error={deliveries.error} />
      <Table
        caption="Webhook deliveries, newest first"
        items={deliveries.data?.items ?? []}
        empty="No deliveries yet."
        columns={[
          { label: 'Received', cell: (d) => <When at={d.receivedAt} /> },
          { label: 'From', cell: (d) => d.gitHostId ?? 'GitHub' },
          { label: 'Event', cell: (d) => `${d.event}${d.action ? `.${d.action}` : ''}` },
          { label: 'Repository', cell: (d) => d.repository ?? '—' },
          { label: 'Ref', cell: (d) => d.ref ?? '—' },
          { label: 'Outcome', cell: (d) => d.outcome },
          {
            label: 'Verdicts',
            cell: (d) =>
              d.results.length === 0
                ? '—'
                : d.results.map((r) => (
                    <div>
                      {r.app}: {r.note}
                      {r.deploymentId && (
                        <>
                          {' '}
                          <Link to={`/deployments/${r.deploymentId}`}>deployment</Link>
                        </>
                      )}
                    </div>
                  )),
          },
        ]}
      />
    </Layout>
  );
}
