// A stack's compose file: the editor, the API's validation issues listed at their path in the
// file (services.web.ports…), and the dry-run plan per environment — the rollout levels as a
// dependency graph read left to right, the routes, and the variables used without a value.
import { useState } from 'hono/jsx/dom';
import { ApiError, api, describeError, unwrap, type Schemas } from '../api.js';
import { useCan } from '../parts/can.js';
import { ErrorNote, Layout, Loading } from '../parts/layout.js';
import { StackGraph } from '../parts/stack-graph.js';
import { useLoad } from '../parts/use-load.js';
import { Link } from '../router.js';

function Plan(props: { plan: Schemas['StackDryRun'] }) {
  const { plan } = props;
  return (
    <div data-testid="plan">
      <h3>Rollout</h3>
      <StackGraph plan={plan} />
      <ol class="levels" aria-label="Rollout levels, each after the one before">
        {plan.rolloutOrder.map((level, i) => (
          <li>
            <span class="muted small">level {i + 1}</span>
            <ul>
              {level.map((s) => (
                <li class="svc">{s}</li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      <h3>Routes</h3>
      <ul>
        {plan.routes.map((r) => (
          <li>
            <code>{r.service}</code>:{r.port} ← {r.hosts.join(', ')} (health <code>{r.healthPath}</code>)
          </li>
        ))}
      </ul>
      {plan.unsetVariables.length > 0 && (
        <p class="warn">
          Used without a value: <code>{plan.unsetVariables.join(', ')}</code>
        </p>
      )}
    </div>
  );
}

export function StackPage(props: { app: string }) {
  const compose = useLoad(() => unwrap(api.GET('/apps/{app}/compose', { params: { path: { app: props.app } } })), [props.app]);
  const envs = useLoad(() => unwrap(api.GET('/apps/{app}/environments', { params: { path: { app: props.app } } })), [props.app]);
  const can = useCan({ app: props.app });
  const [issues, setIssues] = useState<{ path: string; message: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [plan, setPlan] = useState<Schemas['StackDryRun'] | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    const text = ((e.target as HTMLFormElement).elements.namedItem('compose') as HTMLTextAreaElement).value;
    setSaved(null);
    try {
      await unwrap(api.PUT('/apps/{app}/compose', { params: { path: { app: props.app } }, body: { compose: text } }));
      setIssues([]);
      setError(null);
      setSaved('Saved. The next deployment uses it.');
    } catch (err) {
      setIssues(err instanceof ApiError ? err.issues : []);
      setError(err instanceof ApiError && err.issues.length ? err.message.split(':')[0] ?? err.message : describeError(err));
    }
  };
  const dryRun = async (env: string) => {
    try {
      setPlan(await unwrap(api.POST('/apps/{app}/environments/{env}/stack/dry-run', { params: { path: { app: props.app, env } } })));
      setError(null);
    } catch (err) {
      setPlan(null);
      setError(describeError(err));
    }
  };
  return (
    <Layout title={`Stack ${props.app}`}>
      <p>
        <Link to={`/apps/${props.app}`}>Back to {props.app}</Link>
      </p>
      {!compose.data && !compose.error && <Loading />}
      <ErrorNote error={compose.error} />
      {compose.data && (
        <form onSubmit={save} class="stack">
          <label for="compose">Compose file</label>
          <textarea id="compose" name="compose" rows={18} spellcheck={false} readonly={!can.manage} aria-describedby="compose-issues">
            {compose.data.compose ?? ''}
          </textarea>
          <div id="compose-issues" aria-live="polite">
            <ErrorNote error={error} />
            {issues.length > 0 && (
              <ul class="issues" data-testid="issues">
                {issues.map((i) => (
                  <li>
                    <code class="path">{i.path}</code> {i.message}
                  </li>
                ))}
              </ul>
            )}
            {saved && <p class="ok">{saved}</p>}
          </div>
          {can.manage && <button type="submit">Check and save</button>}
        </form>
      )}
      <section aria-labelledby="plan-h">
        <h2 id="plan-h">Dry run</h2>
        <p>
          {(envs.data?.items ?? []).map((e) => (
            <button type="button" class="secondary" onClick={() => dryRun(e.name)}>
              Plan for {e.name}
            </button>
          ))}
        </p>
        {plan && <Plan plan={plan} />}
      </section>
    </Layout>
  );
}
