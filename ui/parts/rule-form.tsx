// One deploy rule's fields, for adding a rule and for editing one in place.
import type { Schemas } from '../api.js';

type RuleInput = Schemas['RuleInput'];

export function RuleForm(props: { label: string; submit: string; initial?: RuleInput; onSubmit(rule: RuleInput): Promise<boolean>; onCancel?(): void }) {
  const r = props.initial;
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = (n: string) => (form.elements.namedItem(n) as HTMLInputElement).value.trim();
    const paths = v('paths') ? v('paths').split(',').map((p) => p.trim()) : null;
    const rule = { event: v('event') as RuleInput['event'], pattern: v('pattern'), environment: v('environment'), base: v('base') || null, paths };
    if ((await props.onSubmit(rule)) && !r) form.reset();
  };
  return (
    <form onSubmit={submit} class="grid card" aria-label={props.label}>
      <label>
        Event
        <select name="event">
          {(['push', 'tag', 'pull_request'] as const).map((ev) => (
            <option value={ev} selected={r?.event === ev}>
              {ev}
            </option>
          ))}
        </select>
      </label>
      <label>
        Pattern (glob)
        <input name="pattern" required placeholder="release/**" value={r?.pattern ?? ''} />
      </label>
      <label>
        Environment
        <input name="environment" required placeholder="production" value={r?.environment ?? ''} />
      </label>
      <label>
        Base (pull requests)
        <input name="base" value={r?.base ?? ''} />
      </label>
      <label>
        Paths (comma-separated globs)
        <input name="paths" value={r?.paths?.join(', ') ?? ''} />
      </label>
      <button type="submit">{props.submit}</button>
      {props.onCancel && (
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
