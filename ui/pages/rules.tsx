// An app's deploy rules in order (the first that matches wins), with add, edit, remove and reorder
// (the whole ordered list is PUT back), and the dry run as you type: which rule this branch,
// tag or pull request would match, and why not each of the others.
import { useEffect, useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { useCan } from '../parts/can.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { useLoad } from '../parts/use-load.js';
import { RuleForm } from '../parts/rule-form.js';
import { Link } from '../router.js';

type Rule = Schemas['Rule'];
type RuleEvent = Schemas['MatchInput']['event'];

const asInput = (r: Rule): Schemas['RuleInput'] => ({ event: r.event as RuleEvent, pattern: r.pattern, environment: r.environment, base: r.base, paths: r.paths });

function DryRun(props: { app: string; version: number }) {
  const [input, setInput] = useState<{ event: RuleEvent; ref: string; base: string }>({ event: 'push', ref: '', base: '' });
  const [result, setResult] = useState<Schemas['MatchResult'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!input.ref) return setResult(null);
    // A short pause after the last key, so typing a branch name is one request, not ten.
    const t = setTimeout(() => {
      const body = { event: input.event, ref: input.ref, ...(input.event === 'pull_request' && input.base ? { base: input.base } : {}) };
      unwrap(api.POST('/apps/{app}/rules/match', { params: { path: { app: props.app } }, body })).then(
        (r) => {
          setResult(r);
          setError(null);
        },
        (err: unknown) => setError(describeError(err)),
      );
    }, 150);
    return () => clearTimeout(t);
  }, [input.event, input.ref, input.base, props.version]);
  const set = (k: keyof typeof input) => (e: Event) => setInput({ ...input, [k]: (e.target as HTMLInputElement).value });
  return (
    <section class="card" aria-labelledby="dry">
      <h2 id="dry">Dry run</h2>
      <div class="inline">
        <label>
          Event
          <select onChange={set('event')}>
            <option value="push">push (branch)</option>
            <option value="tag">tag</option>
            <option value="pull_request">pull request</option>
          </select>
        </label>
        <label>
          {input.event === 'pull_request' ? 'Head branch' : input.event === 'tag' ? 'Tag' : 'Branch'}
          <input name="ref" onInput={set('ref')} placeholder="feature/login" autocomplete="off" />
        </label>
        {input.event === 'pull_request' && (
          <label>
            Base branch
            <input name="base" onInput={set('base')} placeholder="main" />
          </label>
        )}
      </div>
      <ErrorNote error={error} />
      <div aria-live="polite" data-testid="dry-run">
        {result && (
          <>
            <p class={result.matched ? 'ok' : 'muted'}>
              {result.matched ? `Deploys to ${result.environment} (rule ${result.rule?.pattern})` : 'No rule matches: nothing would deploy.'}
            </p>
            <ul>
              {result.checks.map((c) => (
                <li class={c.matched ? 'ok' : 'muted'}>
                  {c.matched ? '✓' : '✗'} {c.reason}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}

export function RulesPage(props: { app: string }) {
  const rules = useLoad(() => unwrap(api.GET('/apps/{app}/rules', { params: { path: { app: props.app } } })), [props.app]);
  const can = useCan({ app: props.app });
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<number | null>(null);
  const items = rules.data?.items ?? [];
  const save = async (next: Schemas['RuleInput'][]): Promise<boolean> => {
    try {
      await unwrap(api.PUT('/apps/{app}/rules', { params: { path: { app: props.app } }, body: { rules: next } }));
      setError(null);
      rules.reload();
      setVersion(version + 1);
      return true;
    } catch (err) {
      setError(describeError(err));
      return false;
    }
  };
  const move = (i: number, by: number) => {
    const next = items.map(asInput);
    const [r] = next.splice(i, 1);
    next.splice(i + by, 0, r as Schemas['RuleInput']);
    return save(next);
  };
  const replace = (i: number | null) => async (rule: Schemas['RuleInput']) => {
    const next = items.map(asInput);
    if (i === null) next.push(rule);
    else next[i] = rule;
    const ok = await save(next);
    if (ok) setEditing(null);
    return ok;
  };
  return (
    <Layout title={`Deploy rules of ${props.app}`}>
      <p>
        <Link to={`/apps/${props.app}`}>Back to {props.app}</Link>. Pushes and tags deploy by the first rule that matches, top to bottom.
      </p>
      <ErrorNote error={rules.error ?? error} />
      <ol class="rules">
        {items.map((r, i) =>
          editing === i ? (
            <li>
              <RuleForm label={`Edit rule ${i + 1}`} submit="Save rule" initial={asInput(r)} onSubmit={replace(i)} onCancel={() => setEditing(null)} />
            </li>
          ) : (
            <li>
              <code>{r.event}</code> <code>{r.pattern}</code> → <strong>{r.environment}</strong>
              {r.base && <span class="muted"> base {r.base}</span>}
              {r.paths && <span class="muted"> paths {r.paths.join(', ')}</span>}
              {can.manage && (
                <span class="actions">
                  <button type="button" class="secondary" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move rule ${i + 1} up`}>
                    ↑
                  </button>
                  <button type="button" class="secondary" disabled={i === items.length - 1} onClick={() => move(i, 1)} aria-label={`Move rule ${i + 1} down`}>
                    ↓
                  </button>
                  <button type="button" class="secondary" onClick={() => setEditing(i)} aria-label={`Edit rule ${i + 1}`}>
                    Edit
                  </button>
                  <button type="button" class="danger" onClick={() => save(items.filter((_, j) => j !== i).map(asInput))} aria-label={`Remove rule ${i + 1}`}>
                    Remove
                  </button>
                </span>
              )}
            </li>
          ),
        )}
      </ol>
      {items.length === 0 && <p class="muted">No rules: nothing deploys on a push.</p>}
      {can.manage && <RuleForm label="Add a rule" submit="Add rule" onSubmit={replace(null)} />}
      <DryRun app={props.app} version={version} />
    </Layout>
  );
}
