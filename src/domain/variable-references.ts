// References inside variable values: ${{ project.NAME }}, ${{ environment.NAME }} and the values
// Berth provides (${{ berth.app }} …). Resolved before anything is queued and again when the
// release is made; a reference that does not resolve, or a cycle, is an error naming the key —
// a value never reaches a container with a reference left in it as text.
import type { LayeredVariable, VariableValue } from './variable-layers.js';

/** What Berth provides to every deploy. `preview` is the pull request's number, empty elsewhere. */
export interface BerthValues {
  app: string;
  environment: string;
  release: string;
  deployment: string;
  preview: string;
  url: string;
}

export const BERTH_VALUE_NAMES: readonly (keyof BerthValues)[] = ['app', 'environment', 'release', 'deployment', 'preview', 'url'];

export interface ReferenceError {
  key: string;
  message: string;
}

export interface ResolvedVariable extends LayeredVariable {
  /** True when the value is secret itself or took a secret value by reference. */
  secret: boolean;
}

// `$${{` is an escaped, literal `${{`; anything else starting with `${{` must be a reference.
const REFERENCE = /\$?\$\{\{\s*([^}]*?)\s*\}\}/g;
const TARGET = /^(project|environment|berth)\.([A-Za-z_][A-Za-z0-9_]*)$/;
const MAX_DEPTH = 32;

type Node = { ns: 'project' | 'environment'; name: string };

export interface ReferenceInput {
  /** The project's own variables (what `project.NAME` names). */
  project: Record<string, VariableValue>;
  /** The merged variables of the deploy (what `environment.NAME` names), each key resolved. */
  effective: Record<string, LayeredVariable>;
  berth: BerthValues;
}

/** Every effective variable with its references replaced, or the keys that could not be. */
export function resolveReferences(input: ReferenceInput): { variables: Record<string, ResolvedVariable>; errors: ReferenceError[] } {
  const done = new Map<string, VariableValue | ReferenceError>();
  const errors = new Map<string, ReferenceError>();

  const lookup = (n: Node): VariableValue | undefined => (n.ns === 'project' ? input.project[n.name] : input.effective[n.name]);

  // `key` is the effective variable being resolved: every error is reported against it.
  function resolveNode(n: Node, path: string[], key: string): VariableValue | ReferenceError {
    const id = `${n.ns}.${n.name}`;
    const cached = done.get(id);
    if (cached) return cached;
    if (path.includes(id)) return { key, message: `reference cycle: ${[...path.slice(path.indexOf(id)), id].join(' → ')}` };
    if (path.length > MAX_DEPTH) return { key, message: `references nested deeper than ${MAX_DEPTH}` };
    const own = lookup(n);
    if (!own) return { key, message: `\${{ ${id} }} is not set` };
    let secret = own.secret;
    let failure: ReferenceError | undefined;
    // What is left once every escape and well-formed reference is taken out: an opening that
    // never closes would otherwise reach the container as text.
    if (own.value.replace(REFERENCE, '').includes('${{')) return { key, message: 'a ${{ that is never closed with }}' };
    const value = own.value.replace(REFERENCE, (whole: string, inner: string) => {
      if (whole.startsWith('$$')) return whole.slice(1);
      if (failure) return '';
      const target = TARGET.exec(inner);
      if (!target) {
        // A secret value's text is never quoted, not even the part that failed.
        const what = own.secret ? 'a reference in its secret value' : `\${{ ${inner} }}`;
        failure = { key, message: `${what} is not a reference Berth knows (project.NAME, environment.NAME, berth.${BERTH_VALUE_NAMES.join('|')})` };
        return '';
      }
      const [, ns, name] = target as unknown as [string, 'project' | 'environment' | 'berth', string];
      if (ns === 'berth') {
        if (!(BERTH_VALUE_NAMES as readonly string[]).includes(name)) failure = { key, message: `\${{ berth.${name} }} is not a value Berth provides` };
        return failure ? '' : input.berth[name as keyof BerthValues];
      }
      const got = resolveNode({ ns, name }, [...path, id], key);
      if ('message' in got) {
        failure = got;
        return '';
      }
      secret ||= got.secret;
      return got.value;
    });
    const result = failure ?? { value, secret };
    // A cycle's error depends on where it was entered, so only successes are kept.
    if (!failure) done.set(id, result);
    return result;
  }

  const variables: Record<string, ResolvedVariable> = {};
  for (const [key, v] of Object.entries(input.effective)) {
    const got = resolveNode({ ns: 'environment', name: key }, [], key);
    if ('message' in got) errors.set(key, got);
    else variables[key] = { ...v, value: got.value, secret: got.secret };
  }
  return { variables, errors: [...errors.values()].sort((a, b) => a.key.localeCompare(b.key)) };
}
