// The caller's API tokens: make one (shown once), see when each was last used, revoke.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { When } from '../parts/status.js';
import { Table } from '../parts/table.js';
import { useLoad } from '../parts/use-load.js';

type Scope = Schemas['TokenInput']['scopes'][number];

export function TokensPage() {
  const tokens = useLoad(() => unwrap(api.GET('/tokens')), []);
  const [made, setMade] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = (n: string) => (form.elements.namedItem(n) as HTMLInputElement).value.trim();
    try {
      const days = v('days');
      const project = v('project');
      const t = await unwrap(
        api.POST('/tokens', { body: { name: v('name'), scopes: [v('scope') as Scope], ...(days ? { expiresInDays: Number(days) } : {}), ...(project ? { project } : {}) } }),
      );
      setMade(t.token);
      setError(null);
      form.reset();
      tokens.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const revoke = async (id: string) => {
    try {
      await unwrap(api.DELETE('/tokens/{id}', { params: { path: { id } } }));
      tokens.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <Layout title="API tokens">
      <ErrorNote error={tokens.error ?? error} />
      {made && (
        <p class="card" role="status">
          Your new token, shown this once: <code data-testid="new-token">{made}</code>
        </p>
      )}
      <Table
        caption="Your tokens"
        items={tokens.data?.items ?? []}
        columns={[
          { label: 'Name', cell: (t) => t.name },
          { label: 'Token', cell: (t) => <code>{t.prefix}…</code> },
          { label: 'Scope', cell: (t) => t.scopes.at(-1) ?? '' },
          { label: 'Project', cell: (t) => t.project ?? 'all' },
          { label: 'Last used', cell: (t) => <When at={t.lastUsedAt} /> },
          { label: 'Expires', cell: (t) => <When at={t.expiresAt} /> },
          {
            label: 'State',
            cell: (t) =>
              t.revokedAt ? (
                'revoked'
              ) : (
                <button type="button" class="danger" onClick={() => revoke(t.id)}>
                  Revoke {t.name}
                </button>
              ),
          },
        ]}
      />
      <form onSubmit={add} class="grid card" aria-label="New token">
        <label>
          Name
          <input name="name" required />
        </label>
        <label>
          Scope
          <select name="scope">
            <option value="read">read</option>
            <option value="deploy">deploy</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label>
          Only for project (optional)
          <input name="project" />
        </label>
        <label>
          Expires in days (optional)
          <input name="days" type="number" min={1} />
        </label>
        <button type="submit">Make token</button>
      </form>
    </Layout>
  );
}
