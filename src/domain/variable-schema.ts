// An app's variable schema: which keys its environments must have, of what type, and which
// must be secret. Checked against the effective, resolved variables of a deploy, and of every
// environment a variable change touches, so a change that would break the app is refused.
import type { VariableValue } from './variable-layers.js';

export const VARIABLE_TYPES = ['string', 'number', 'boolean', 'url', 'enum', 'pattern'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

export interface VariableRule {
  type: VariableType;
  required: boolean;
  /** The value must be kept secret (a plain value is refused, so it cannot leak by mistake). */
  secret: boolean;
  description?: string | undefined;
  /** For type "enum": the values allowed. */
  values?: string[] | undefined;
  /** For type "pattern": a regular expression the whole value must match. */
  pattern?: string | undefined;
}

export type VariableSchema = Record<string, VariableRule>;

export interface SchemaViolation {
  key: string;
  message: string;
}

const BOOLEAN_VALUES = ['true', 'false', '1', '0'];

// Messages never quote a value: it may be secret.
function typeProblem(rule: VariableRule, value: string): string | null {
  switch (rule.type) {
    case 'string':
      return null;
    case 'number':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? null : 'is not a number';
    case 'boolean':
      return BOOLEAN_VALUES.includes(value) ? null : `is not a boolean (${BOOLEAN_VALUES.join(', ')})`;
    case 'url':
      return URL.canParse(value) ? null : 'is not a URL';
    case 'enum':
      return (rule.values ?? []).includes(value) ? null : `is not one of ${(rule.values ?? []).join(', ')}`;
    case 'pattern':
      return new RegExp(`^(?:${rule.pattern ?? ''})$`, 'u').test(value) ? null : `does not match ${rule.pattern ?? ''}`;
  }
}

/** Every key of the schema the variables do not satisfy, in key order. */
export function checkVariableSchema(schema: VariableSchema, variables: Record<string, VariableValue>): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  for (const key of Object.keys(schema).sort()) {
    const rule = schema[key] as VariableRule;
    const v = variables[key];
    if (!v) {
      if (rule.required) out.push({ key, message: 'is required' });
      continue;
    }
    if (rule.secret && !v.secret) out.push({ key, message: 'must be secret' });
    const problem = typeProblem(rule, v.value);
    if (problem) out.push({ key, message: problem });
  }
  return out;
}

/** A rule that cannot be checked (an enum without values, a pattern that does not compile). */
export function ruleProblem(rule: VariableRule): string | null {
  if (rule.type === 'enum' && !rule.values?.length) return 'type enum needs values';
  if (rule.type === 'pattern') {
    if (!rule.pattern) return 'type pattern needs pattern';
    try {
      new RegExp(rule.pattern, 'u');
    } catch {
      return 'pattern is not a regular expression';
    }
  }
  return null;
}
