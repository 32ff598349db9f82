// The audit log (instance administrators): who asked for what, and how it ended, newest first.
import { api, unwrap } from '../api.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { When } from '../parts/status.js';
import { Table } from '../parts/table.js';
import { useLoad } from '../parts/use-load.js';

export function AuditPage() {
  const events = useLoad(() => unwrap(api.GET('/audit', { params: { query: { limit: 100 } } })), []);
  return (
    <Layout title="Audit log">
      <ErrorNote error={events.error} />
      <Table
        caption="Newest first"
        items={events.data?.items ?? []}
        columns={[
          { label: 'When', cell: (e) => <When at={e.at} /> },
          { label: 'Who', cell: (e) => `${e.actorName ?? e.actorId ?? '—'} (${e.actorKind})` },
          { label: 'Action', cell: (e) => <code>{e.action}</code> },
          { label: 'Target', cell: (e) => e.target },
          { label: 'Outcome', cell: (e) => `${e.outcome}${e.status ? ` ${e.status}` : ''}` },
        ]}
      />
    </Layout>
  );
}
