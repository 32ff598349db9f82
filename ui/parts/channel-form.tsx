// The form that adds a notification channel: its name, the kind's own fields (secrets in
// password fields: the API never gives them back, only masked), and which events it wants.
import { useState } from 'hono/jsx/dom';
import type { Schemas } from '../api.js';

type Input = Schemas['NotificationChannelInput'];
type Destination = Input['destination'];
export type EventName = Input['subscriptions'][number]['events'][number];

/** Every event a channel may subscribe to; the check below fails the build when the API has more. */
export const EVENTS = [
  'deploy.queued',
  'deploy.started',
  'deploy.succeeded',
  'deploy.failed',
  'deploy.cancelled',
  'deploy.rolled_back',
  'build.failed',
  'deploy.stuck',
  'reconcile.healed',
  'preview.approval_waiting',
  'certificate.expiring',
  'health.lost',
  'health.regained',
  'container.restart_loop',
  'container.oom_killed',
  'disk.low',
  'secrets.key_rotated',
] as const satisfies readonly EventName[];
type Missing = Exclude<EventName, (typeof EVENTS)[number] | '*'>;
const everyEventListed: [Missing] extends [never] ? true : Missing = true;
void everyEventListed;

const KINDS = ['webhook', 'slack', 'discord', 'teams', 'telegram', 'pagerduty', 'email'] as const;
type Kind = (typeof KINDS)[number];

function destinationOf(kind: Kind, v: (name: string) => string): Destination {
  switch (kind) {
    case 'webhook':
      return { kind, url: v('url'), ...(v('secret') ? { secret: v('secret') } : {}) };
    case 'slack':
    case 'discord':
    case 'teams':
      return { kind, url: v('url') };
    case 'telegram':
      return { kind, botToken: v('botToken'), chatId: v('chatId') };
    case 'pagerduty':
      return { kind, routingKey: v('routingKey') };
    case 'email':
      return {
        kind,
        host: v('host'),
        port: Number(v('port') || 587),
        secure: v('secure') === 'on',
        user: v('user') || null,
        password: v('password') || null,
        from: v('from'),
        to: v('to').split(',').map((s) => s.trim()).filter(Boolean),
      };
  }
}

function KindFields(props: { kind: Kind }) {
  const k = props.kind;
  if (k === 'telegram')
    return (
      <>
        <label>
          Bot token <input name="botToken" type="password" autocomplete="off" required />
        </label>
        <label>
          Chat id <input name="chatId" required />
        </label>
      </>
    );
  if (k === 'pagerduty')
    return (
      <label>
        Integration (routing) key <input name="routingKey" type="password" autocomplete="off" required />
      </label>
    );
  if (k === 'email')
    return (
      <>
        <label>
          SMTP host <input name="host" required />
        </label>
        <label>
          Port <input name="port" type="number" min={1} max={65535} value="587" />
        </label>
        <label>
          <input name="secure" type="checkbox" /> TLS from the first byte (port 465)
        </label>
        <label>
          User (optional) <input name="user" autocomplete="off" />
        </label>
        <label>
          Password (optional) <input name="password" type="password" autocomplete="off" />
        </label>
        <label>
          From <input name="from" type="email" required />
        </label>
        <label>
          To (comma-separated) <input name="to" required />
        </label>
      </>
    );
  return (
    <>
      <label>
        {k === 'webhook' ? 'URL' : 'Webhook URL (secret: its path is its token)'} <input name="url" type={k === 'webhook' ? 'url' : 'password'} autocomplete="off" required />
      </label>
      {k === 'webhook' && (
        <label>
          Signing secret (optional, whsec_…; made by Berth when empty) <input name="secret" type="password" autocomplete="off" />
        </label>
      )}
    </>
  );
}

export function ChannelForm(props: { onSubmit(input: Input): Promise<boolean> }) {
  const [kind, setKind] = useState<Kind>('webhook');
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = (n: string) => {
      const el = form.elements.namedItem(n) as HTMLInputElement | null;
      return el ? (el.type === 'checkbox' ? (el.checked ? 'on' : '') : el.value.trim()) : '';
    };
    const chosen = EVENTS.filter((ev) => (form.elements.namedItem(`event:${ev}`) as HTMLInputElement | null)?.checked);
    const input: Input = {
      name: v('name'),
      destination: destinationOf(kind, v),
      subscriptions: [{ app: v('app') || null, environment: v('environment') || null, events: chosen.length ? chosen : ['*'] }],
      enabled: true,
    };
    if (await props.onSubmit(input)) form.reset();
  };
  return (
    <form onSubmit={submit} class="grid card" aria-label="New channel">
      <label>
        Name <input name="name" required maxlength={80} />
      </label>
      <label>
        Kind
        <select name="kind" value={kind} onChange={(e: Event) => setKind((e.target as HTMLSelectElement).value as Kind)}>
          {KINDS.map((k) => (
            <option value={k}>{k}</option>
          ))}
        </select>
      </label>
      <KindFields kind={kind} />
      <label>
        Only app (optional) <input name="app" />
      </label>
      <label>
        Only environment (optional) <input name="environment" />
      </label>
      <fieldset>
        <legend>Events (none ticked: all of them)</legend>
        {EVENTS.map((ev) => (
          <label class="inline">
            <input type="checkbox" name={`event:${ev}`} /> {ev}
          </label>
        ))}
      </fieldset>
      <button type="submit">Add channel</button>
    </form>
  );
}
