// An environment's variables: values of the plain ones, names only of the secret ones (their
// values are write-only: set or replaced here, never shown), add, replace and unset.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { useCan } from '../parts/can.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { Table } from '../parts/table.js';
import { useLoad } from '../parts/use-load.js';
import { Link } from '../router.js';

/** Longest chain of parents followed (the API stops at the same depth). */
const MAX_PARENTS = 5;

interface Row {
  key: string;
  value: string;
  secret: boolean;
  /** The environment it comes from: this one, or a parent it inherits from. */
  source: string;
}

/** The environment's variables over its parents' (the nearest wins), each with where it comes from. */
async function effectiveVariables(app: string, env: string): Promise<Row[]> {
  const rows = new Map<string, Row>();
  let name: string | null = env;
  for (let depth = 0; name && depth <= MAX_PARENTS; depth++) {
    const path: { params: { path: { app: string; env: string } } } = { params: { path: { app, env: name } } };
    const [vars, info]: [Schemas['Variables'], Schemas['Environment']] = await Promise.all([unwrap(api.GET('/apps/{app}/environments/{env}/variables', path)), unwrap(api.GET('/apps/{app}/environments/{env}', path))]);
    const source = name;
    for (const [key, value] of Object.entries(vars.variables)) if (!rows.has(key)) rows.set(key, { key, value, secret: false, source });
    for (const key of vars.secret) if (!rows.has(key)) rows.set(key, { key, value: '', secret: true, source });
    name = info.parent;
  }
  return [...rows.values()].sort((a, b) => a.key.localeCompare(b.key));
}

export function VariablesPage(props: { app: string; env: string }) {
  const path = { params: { path: { app: props.app, env: props.env } } };
  const vars = useLoad(() => effectiveVariables(props.app, props.env), [props.app, props.env]);
  const can = useCan({ app: props.app });
  const [error, setError] = useState<string | null>(null);
  const rows = vars.data ?? [];
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
        caption="Effective variables: this environment's over those it inherits"
        items={rows}
        empty="No variables."
        columns={[
          { label: 'Name', cell: (r) => <code>{r.key}</code> },
          { label: 'Value', cell: (r) => (r.secret ? <span class="muted">•••••• (secret, write-only)</span> : <code>{r.value}</code>) },
          { label: 'From', cell: (r) => (r.source === props.env ? 'this environment' : `inherited from ${r.source}`) },
          {
            label: 'Action',
            cell: (r) =>
              can.manage &&
              r.source === props.env && (
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
