// Notification channels of the instance or of one project (?project=name): list them with their
// secrets masked as the API gives them, add one (a webhook's signing secret shown once), send a
// test and see the receiver's answer, read a channel's delivery log, remove one.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { navigate, useLocation } from '../router.js';
import { ChannelForm } from '../parts/channel-form.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { When } from '../parts/status.js';
import { Table } from '../parts/table.js';
import { useLoad } from '../parts/use-load.js';

type Channel = Schemas['NotificationChannel'];
type Input = Schemas['NotificationChannelInput'];

/** The same calls for both scopes: the instance's channels, or a project's. */
function channelsApi(project: string | null) {
  return {
    list: () => (project ? unwrap(api.GET('/projects/{project}/notification-channels', { params: { path: { project } } })) : unwrap(api.GET('/notification-channels'))),
    add: (body: Input) =>
      project ? unwrap(api.POST('/projects/{project}/notification-channels', { params: { path: { project } }, body })) : unwrap(api.POST('/notification-channels', { body })),
    test: (channel: string) =>
      project
        ? unwrap(api.POST('/projects/{project}/notification-channels/{channel}/test', { params: { path: { project, channel } } }))
        : unwrap(api.POST('/notification-channels/{channel}/test', { params: { path: { channel } } })),
    remove: (channel: string) =>
      project
        ? unwrap(api.DELETE('/projects/{project}/notification-channels/{channel}', { params: { path: { project, channel } } }))
        : unwrap(api.DELETE('/notification-channels/{channel}', { params: { path: { channel } } })),
    messages: (channel: string) =>
      project
        ? unwrap(api.GET('/projects/{project}/notification-channels/{channel}/messages', { params: { path: { project, channel }, query: { limit: 10 } } }))
        : unwrap(api.GET('/notification-channels/{channel}/messages', { params: { path: { channel }, query: { limit: 10 } } })),
  };
}

/** The destination as the API masked it: `url: https://hooks.slack.com/…, chatId: …`. */
function maskedDestination(c: Channel): string {
  return Object.entries(c.destination)
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join('; ');
}

function Deliveries(props: { load: () => ReturnType<ReturnType<typeof channelsApi>['messages']>; name: string }) {
  const log = useLoad(props.load, []);
  return (
    <section aria-label={`Deliveries of ${props.name}`}>
      <ErrorNote error={log.error} />
      <Table
        caption={`Last deliveries of ${props.name}`}
        items={log.data?.items ?? []}
        empty="Nothing sent yet."
        columns={[
          { label: 'Event', cell: (m) => m.eventType },
          { label: 'Title', cell: (m) => m.title },
          { label: 'Status', cell: (m) => `${m.status}${m.responseStatus ? ` (${m.responseStatus})` : ''}` },
          { label: 'Attempts', cell: (m) => String(m.attempts) },
          { label: 'When', cell: (m) => <When at={m.sentAt ?? m.createdAt} /> },
        ]}
      />
    </section>
  );
}

export function NotificationsPage() {
  const { query } = useLocation();
  const project = query.get('project') || null;
  const calls = channelsApi(project);
  const projects = useLoad(() => unwrap(api.GET('/projects')), []);
  const channels = useLoad(calls.list, [project]);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const act = async (what: () => Promise<string | null>) => {
    try {
      setNote(await what());
      setError(null);
      channels.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const add = async (input: Input) => {
    try {
      const made = await calls.add(input);
      setNote(made.signingSecret ? `Channel ${made.name} added. Its signing secret, shown this once: ${made.signingSecret}` : `Channel ${made.name} added.`);
      setError(null);
      channels.reload();
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    }
  };
  const test = (c: Channel) =>
    act(async () => {
      const r = await calls.test(c.id);
      return `Test to ${c.name}: ${r.outcome}${r.responseStatus ? `, the receiver answered ${r.responseStatus}` : ''}${r.error ? ` (${r.error})` : ''}`;
    });
  const remove = (c: Channel) =>
    act(async () => {
      if (!confirm(`Remove channel ${c.name}? It gets no more notifications and its delivery log is deleted.`)) return null;
      await calls.remove(c.id);
      return `Channel ${c.name} removed.`;
    });
  const scopeName = project ? `project ${project}` : 'the whole instance';
  return (
    <Layout title="Notifications">
      <label>
        Channels of{' '}
        <select
          name="scope"
          value={project ?? ''}
          onChange={(e: Event) => {
            const v = (e.target as HTMLSelectElement).value;
            navigate(v ? `/notifications?project=${encodeURIComponent(v)}` : '/notifications');
          }}
        >
          <option value="">the whole instance</option>
          {(projects.data?.items ?? []).map((p) => (
            <option value={p.name}>project {p.name}</option>
          ))}
        </select>
      </label>
      <ErrorNote error={channels.error ?? error} />
      {note && (
        <p class="card" role="status" data-testid="channel-note">
          {note}
        </p>
      )}
      <Table
        caption={`Channels of ${scopeName}`}
        items={channels.data?.items ?? []}
        empty="No channel yet."
        columns={[
          { label: 'Name', cell: (c) => c.name },
          { label: 'Kind', cell: (c) => c.kind },
          { label: 'Destination (secrets masked)', cell: (c) => <code>{maskedDestination(c)}</code> },
          { label: 'Events', cell: (c) => c.subscriptions.map((s) => `${s.events.join(', ')}${s.app ? ` of ${s.app}` : ''}${s.environment ? `/${s.environment}` : ''}`).join('; ') },
          { label: 'Enabled', cell: (c) => (c.enabled ? 'yes' : 'no') },
          {
            label: 'Actions',
            cell: (c) => (
              <span class="actions">
                <button type="button" onClick={() => test(c)}>
                  Send test to {c.name}
                </button>{' '}
                <button type="button" onClick={() => setOpen(open === c.id ? null : c.id)} aria-expanded={open === c.id}>
                  Deliveries of {c.name}
                </button>{' '}
                <button type="button" class="danger" onClick={() => remove(c)}>
                  Remove {c.name}
                </button>
              </span>
            ),
          },
        ]}
      />
      {open && (channels.data?.items ?? []).some((c) => c.id === open) && (
        <Deliveries key={open} load={() => calls.messages(open)} name={(channels.data?.items ?? []).find((c) => c.id === open)?.name ?? ''} />
      )}
      <h2>Add a channel to {scopeName}</h2>
      <ChannelForm onSubmit={add} />
    </Layout>
  );
}
