// Settings of an app (image, port, health check, replicas) and of an environment (domains,
// retention, drain, queue policy, release strategy), edited in place: the API validates and answers with each
// bad field, shown by the form; nothing changes until it accepts.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { ErrorNote } from './layout.js';

const field = (form: HTMLFormElement, name: string) => form.elements.namedItem(name) as HTMLInputElement;

function useSave(): { error: string | null; saved: boolean; run(change: () => Promise<unknown>, done: () => void): Promise<void> } {
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  return {
    error,
    saved,
    async run(change, done) {
      try {
        await change();
        setError(null);
        setSaved(true);
        done();
      } catch (err) {
        setError(describeError(err));
        setSaved(false);
      }
    },
  };
}

export function AppSettings(props: { app: Schemas['App']; onSaved(): void }) {
  const { app } = props;
  const save = useSave();
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const image = field(form, 'image')?.value.trim();
    const body: Schemas['AppPatch'] = {
      port: Number(field(form, 'port').value),
      replicas: Number(field(form, 'replicas').value),
      healthCheck: { ...app.healthCheck, path: field(form, 'health').value.trim() },
      ...(app.kind === 'image' ? { image: image || null } : {}),
    };
    return save.run(() => unwrap(api.PATCH('/apps/{app}', { params: { path: { app: app.name } }, body })), props.onSaved);
  };
  return (
    <details class="card">
      <summary>App settings</summary>
      <form onSubmit={submit} class="grid" aria-label="App settings">
        {app.kind === 'image' && (
          <label>
            Default image
            <input name="image" value={app.image ?? ''} />
          </label>
        )}
        <label>
          Port
          <input name="port" type="number" min={1} max={65535} value={String(app.port)} />
        </label>
        <label>
          Health path
          <input name="health" value={app.healthCheck.path} />
        </label>
        <label>
          Replicas
          <input name="replicas" type="number" min={1} value={String(app.replicas)} />
        </label>
        <button type="submit">Save app settings</button>
        {save.saved && <span role="status">Saved: the next deployment uses them.</span>}
      </form>
      <ErrorNote error={save.error} />
    </details>
  );
}

/** Where an inherited setting comes from, when it is not the environment's own. */
function sourceOf(env: Schemas['Environment'], key: string) {
  const s = env.settingSources[key];
  if (!s || (s.level === 'environment' && s.environment === env.name)) return null;
  return <small>({s.level === 'environment' ? `from ${s.environment}` : s.level === 'app' ? "the app's" : 'default'})</small>;
}

export function EnvironmentSettings(props: { app: string; env: Schemas['Environment']; onSaved(): void }) {
  const { env } = props;
  const save = useSave();
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const domains = field(form, 'domains')
      .value.split(/[\s,]+/)
      .filter(Boolean);
    const asked = {
      retention: Number(field(form, 'retention').value),
      drainSeconds: Number(field(form, 'drain').value),
      queuePolicy: field(form, 'queue').value as 'latest-wins' | 'fifo',
      cancelSuperseded: field(form, 'cancel').checked,
      strategy: field(form, 'strategy').value as Schemas['Environment']['strategy'],
      // Emptied: no pattern here, whatever the parent has.
      domainPattern: field(form, 'pattern').value.trim(),
    };
    // Only what was changed is sent: a setting left as inherited stays inherited.
    const changed = Object.fromEntries(Object.entries(asked).filter(([k, v]) => (env[k as keyof typeof asked] ?? '') !== v));
    const body: Schemas['EnvironmentPatch'] = { domains, ...changed };
    return save.run(() => unwrap(api.PATCH('/apps/{app}/environments/{env}', { params: { path: { app: props.app, env: env.name } }, body })), props.onSaved);
  };
  return (
    <details>
      <summary>Settings of {env.name}</summary>
      <form onSubmit={submit} class="grid" aria-label={`Settings of ${env.name}`}>
        <label>
          Extra domains (comma-separated)
          <input name="domains" value={env.domains.join(', ')} />
        </label>
        <label>
          Domains pattern, e.g. {'{env}'}.shop.example.com {sourceOf(env, 'domainPattern')}
          <input name="pattern" value={env.domainPattern ?? ''} />
        </label>
        <label>
          Releases kept for rollback {sourceOf(env, 'retention')}
          <input name="retention" type="number" min={1} value={String(env.retention)} />
        </label>
        <label>
          Drain seconds {sourceOf(env, 'drainSeconds')}
          <input name="drain" type="number" min={0} value={String(env.drainSeconds)} />
        </label>
        <label>
          Queue policy {sourceOf(env, 'queuePolicy')}
          <select name="queue">
            <option value="latest-wins" selected={env.queuePolicy === 'latest-wins'}>
              latest wins
            </option>
            <option value="fifo" selected={env.queuePolicy === 'fifo'}>
              first in, first out
            </option>
          </select>
        </label>
        <label>
          Release strategy (a deploy may name its own) {sourceOf(env, 'strategy')}
          <select name="strategy">
            {(['all-at-once', 'canary', 'blue-green'] as const).map((s) => (
              <option value={s} selected={env.strategy === s}>
                {s === 'blue-green' ? 'blue-green (next.<host> first)' : s}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input name="cancel" type="checkbox" checked={env.cancelSuperseded} /> A newer deploy cancels a running one
        </label>
        <button type="submit">Save settings of {env.name}</button>
        {save.saved && <span role="status">Saved.</span>}
      </form>
      <ErrorNote error={save.error} />
    </details>
  );
}
