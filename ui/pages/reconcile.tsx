// What reconcile found (drift between desired state and Docker, Traefik and the static files)
// and what it did, newest first; administrators can run it now.
import { useState } from 'hono/jsx/dom';
import type { paths } from '../../src/client/api-types.js';
import { api, describeError, unwrap, withDefaults } from '../api.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { useMe } from '../parts/session.js';
import { When } from '../parts/status.js';
import { Table } from '../parts/table.js';
import { useLoad } from '../parts/use-load.js';

type RunInput = NonNullable<paths['/reconcile']['post']['requestBody']>['content']['application/json'];

export function ReconcilePage() {
  const me = useMe();
  const events = useLoad(() => unwrap(api.GET('/reconcile/events', { params: { query: { limit: 100 } } })), []);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    try {
      const r = await unwrap(api.POST('/reconcile', { body: withDefaults<RunInput>({ wait: true }) }));
      setNote(`Reconciled (workflow ${r.workflowId}).`);
      events.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <Layout title="Reconcile">
      <ErrorNote error={events.error ?? error} />
      {me.user.isAdmin && (
        <p>
          <button type="button" onClick={run}>
            Reconcile everything now
          </button>{' '}
          {note && <span role="status">{note}</span>}
        </p>
      )}
      <Table
        caption="Events, newest first"
        items={events.data?.items ?? []}
        empty="No drift found so far."
        columns={[
          { label: 'When', cell: (e) => <When at={e.at} /> },
          { label: 'Drift', cell: (e) => <code>{e.drift}</code> },
          { label: 'Action', cell: (e) => e.action },
          { label: 'Outcome', cell: (e) => e.outcome },
          { label: 'Trigger', cell: (e) => e.trigger },
        ]}
      />
    </Layout>
  );
}
