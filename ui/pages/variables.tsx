// An environment's variables as the next deploy gets them (the project's shared ones, the
// environment's through its parent chain, references resolved), each with where it comes from:
// values of the plain ones, names only of the secret ones (write-only: set or replaced here,
// never shown); references that do not resolve, which refuse a deploy; add, replace and unset.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { useCan } from '../parts/can.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { Table } from '../parts/table.js';
import { useLoad } from '../parts/use-load.js';
import { Link } from '../router.js';

type Effective = Schemas['EffectiveVariables']['items'][number];

/** Where a value comes from, as the API's order of precedence names it. */
function sourceOf(v: Effective, env: string): string {
  if (v.source.level === 'project') return 'the project (shared)';
  if (v.source.level === 'deploy') return 'the deploy';
  return v.source.environment === env ? 'this environment' : `inherited from ${v.source.environment}`;
}

export function VariablesPage(props: { app: string; env: string }) {
  const path = { params: { path: { app: props.app, env: props.env } } };
  const vars = useLoad(() => unwrap(api.GET('/apps/{app}/environments/{env}/variables/effective', path)), [props.app, props.env]);
  const can = useCan({ app: props.app });
  const [error, setError] = useState<string | null>(null);
  const rows = vars.data?.items ?? [];
  const broken = vars.data?.errors ?? [];
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
      {broken.length > 0 && (
        <div role="alert" class="card" data-testid="unresolved">
          <p>A deploy is refused until these resolve:</p>
          <ul>
            {broken.map((b) => (
              <li>
                <code>{b.key}</code>: {b.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <Table
        caption="Effective variables: this environment's over those it inherits, over the project's"
        items={rows}
        empty="No variables."
        columns={[
          { label: 'Name', cell: (r) => <code>{r.key}</code> },
          { label: 'Value', cell: (r) => (r.secret ? <span class="muted">•••••• (secret, write-only)</span> : <code>{r.value}</code>) },
          { label: 'From', cell: (r) => sourceOf(r, props.env) },
          {
            label: 'Action',
            cell: (r) =>
              can.manage &&
              r.source.level === 'environment' &&
              r.source.environment === props.env && (
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
