// Variable interpolation exactly as Compose does it, in every value (never in keys):
//   $VAR ${VAR}           the value, or "" (with a warning) when unset
//   ${VAR:-default}       default when VAR is unset or empty;   ${VAR-default} only when unset
//   ${VAR:?message}       an error when VAR is unset or empty;  ${VAR?message} only when unset
//   ${VAR:+replacement}   replacement when VAR is set and not empty; ${VAR+replacement} when set
//   $$                    a literal $
// Defaults and replacements are interpolated themselves (nested ${…}), and only when used.
import { joinPath, type ComposeIssue } from './compose-issues.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const BRACED = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/;

export interface Interpolated<T> {
  value: T;
  /** Variables used but not set (Compose substitutes "" and warns). */
  unset: string[];
  issues: ComposeIssue[];
}

class InterpolationError extends Error {}

export function interpolateString(text: string, vars: Record<string, string>, unset: Set<string>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      out += substitute(text.slice(i + 2, end), vars, unset);
      i = end + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (!name) throw new InterpolationError(`invalid interpolation at "${text.slice(i, i + 10)}": write $$ for a literal $`);
    out += lookup(name, vars, unset);
    i += 1 + name.length;
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let j = from; j < text.length; j++) {
    if (text[j] === '$' && text[j + 1] === '$') j++;
    else if (text[j] === '$' && text[j + 1] === '{') {
      depth++;
      j++;
    } else if (text[j] === '}' && --depth === 0) return j;
  }
  throw new InterpolationError(`invalid interpolation: unclosed "\${" in "${text.slice(from - 2, from + 20)}"`);
}

function lookup(name: string, vars: Record<string, string>, unset: Set<string>): string {
  if (Object.hasOwn(vars, name)) return vars[name] as string;
  unset.add(name);
  return '';
}

function substitute(inner: string, vars: Record<string, string>, unset: Set<string>): string {
  const m = BRACED.exec(inner);
  if (!m) throw new InterpolationError(`invalid interpolation "\${${inner}}": expected \${NAME}, \${NAME:-default}, \${NAME:?message}…`);
  const [, name, op, arg = ''] = m as unknown as [string, string, string | undefined, string | undefined];
  const set = Object.hasOwn(vars, name);
  const value = set ? (vars[name] as string) : undefined;
  const nested = () => interpolateString(arg, vars, unset);
  switch (op) {
    case undefined:
      return lookup(name, vars, unset);
    case ':-':
      return value ? value : nested();
    case '-':
      return set ? (value as string) : nested();
    case ':?':
      if (!value) throw new InterpolationError(`required variable ${name} is ${set ? 'empty' : 'missing'}: ${nested() || 'no message'}`);
      return value;
    case '?':
      if (!set) throw new InterpolationError(`required variable ${name} is missing: ${nested() || 'no message'}`);
      return value as string;
    case ':+':
      return value ? nested() : '';
    default: // '+'
      return set ? nested() : '';
  }
}

/** Interpolates every string value of a parsed YAML document; collects each error with its path. */
export function interpolateDocument<T>(doc: T, vars: Record<string, string>): Interpolated<T> {
  const unset = new Set<string>();
  const issues: ComposeIssue[] = [];
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      try {
        return interpolateString(value, vars, unset);
      } catch (err) {
        if (!(err instanceof InterpolationError)) throw err;
        issues.push({ path: joinPath(path), message: err.message });
        return value;
      }
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };
  const value = walk(doc, []) as T;
  return { value, unset: [...unset].sort(), issues };
}
