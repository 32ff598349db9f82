// An environment's variables: values of the plain ones, names only of the secret ones (their
// values are write-only: set or replaced here, never shown), add, replace and unset.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap } from '../api.js';
import { useCan } from '../parts/can.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { Table } from '../parts/table.js';
import { useLoad } from '../parts/use-load.js';
import { Link } from '../router.js';

export function VariablesPage(props: { app: string; env: string }) {
  const path = { params: { path: { app: props.app, env: props.env } } };
  const vars = useLoad(() => unwrap(api.GET('/apps/{app}/environments/{env}/variables', path)), [props.app, props.env]);
  const can = useCan({ app: props.app });
  const [error, setError] = useState<string | null>(null);
  const rows = [
    ...Object.entries(vars.data?.variables ?? {}).map(([key, value]) => ({ key, value, secret: false })),
    ...(vars.data?.secret ?? []).map((key) => ({ key, value: '', secret: true })),
  ].sort((a, b) => a.key.localeCompare(b.key));
  const patch = async (body: { variables?: Record<string, string>; secret?: string[]; unset?: string[] }) => {
    try {
      await unwrap(api.PATCH('/apps/{app}/environments/{env}/variables', { ...path, body: { variables: {}, unset: [], ...body } }));
      setError(null);
      vars.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const key = (form.elements.namedItem('key') as HTMLInputElement).value.trim();
    const value = (form.elements.namedItem('value') as HTMLInputElement).value;
    const secret = (form.elements.namedItem('secret') as HTMLInputElement).checked;
    await patch({ variables: { [key]: value }, ...(secret ? { secret: [key] } : {}) });
    form.reset();
  };
  return (
    <Layout title={`Variables of ${props.app} / ${props.env}`}>
      <p>
        <Link to={`/apps/${props.app}`}>Back to {props.app}</Link>. Changes apply from the next deployment.
      </p>
      <ErrorNote error={vars.error ?? error} />
      <Table
        caption="Variables"
        items={rows}
        empty="No variables."
        columns={[
          { label: 'Name', cell: (r) => <code>{r.key}</code> },
          { label: 'Value', cell: (r) => (r.secret ? <span class="muted">•••••• (secret, write-only)</span> : <code>{r.value}</code>) },
          {
            label: 'Action',
            cell: (r) =>
              can.manage && (
                <button type="button" class="secondary" onClick={() => patch({ unset: [r.key] })}>
                  Unset {r.key}
                </button>
              ),
          },
        ]}
      />
      {can.manage && (
        <form onSubmit={add} class="inline card" aria-label="Set a variable">
          <label>
            Name
            <input name="key" required pattern="[A-Za-z_][A-Za-z0-9_]*" />
          </label>
          <label>
            Value
            <input name="value" type="password" autocomplete="off" />
          </label>
          <label class="check">
            <input name="secret" type="checkbox" /> Secret
          </label>
          <button type="submit">Set</button>
        </form>
      )}
    </Layout>
  );
}
