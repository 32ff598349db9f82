// A stack's compose file: the editor, checked as you type, with the API's refusals and its
// translation warnings listed at their path in the file (services.web.ports…); and the dry-run
// plan per environment — the dependency graph by rollout level, the routes, and the variables
// used without a value.
import { useRef, useState } from 'hono/jsx/dom';
import { ApiError, api, describeError, unwrap, type Schemas } from '../api.js';
import { useCan } from '../parts/can.js';
import { ErrorNote, Layout, Loading } from '../parts/layout.js';
import { StackGraph } from '../parts/stack-graph.js';
import { useLoad } from '../parts/use-load.js';
import { Link } from '../router.js';

type Issue = { path: string; message: string };

/** Findings at their path in the file: refusals (red) or what Berth translates or ignores. */
function IssueList(props: { items: Issue[]; label: string; testid: string }) {
  return (
    <ul class={props.testid === 'issues' ? 'issues' : 'warnings'} data-testid={props.testid} aria-label={props.label}>
      {props.items.map((i) => (
        <li>
          <code class="path">{i.path}</code> {i.message}
        </li>
      ))}
    </ul>
  );
}

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
      {plan.warnings.length > 0 && <IssueList items={plan.warnings} label="Translated or ignored" testid="plan-warnings" />}
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
  const [warnings, setWarnings] = useState<Issue[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Checked as you type (a pause after the last key): the same compiler as the upload, changing nothing.
  const check = (e: Event) => {
    const text = (e.target as HTMLTextAreaElement).value;
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      unwrap(api.POST('/stack/dry-run', { body: { compose: text } })).then(
        (r) => {
          setIssues([]);
          setError(null);
          setWarnings(r.warnings);
        },
        (err: unknown) => {
          setIssues(err instanceof ApiError ? err.issues : []);
          setError(err instanceof ApiError && err.issues.length ? 'Not valid yet:' : describeError(err));
          setWarnings([]);
        },
      );
    }, 300);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    const text = ((e.target as HTMLFormElement).elements.namedItem('compose') as HTMLTextAreaElement).value;
    setSaved(null);
    try {
      const stored = await unwrap(api.PUT('/apps/{app}/compose', { params: { path: { app: props.app } }, body: { compose: text } }));
      setWarnings(stored.warnings ?? []);
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
          <textarea id="compose" name="compose" rows={18} spellcheck={false} readonly={!can.manage} aria-describedby="compose-issues" onInput={check}>
            {compose.data.compose ?? ''}
          </textarea>
          <div id="compose-issues" aria-live="polite">
            <ErrorNote error={error} />
            {issues.length > 0 && <IssueList items={issues} label="Refused" testid="issues" />}
            {warnings.length > 0 && <IssueList items={warnings} label="Translated or ignored" testid="warnings" />}
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
