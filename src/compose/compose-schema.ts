// Validation against the Compose specification's JSON schema, with Ajv. The schema is the one
// `docker compose` itself validates with: compose-go's schema/compose-spec.json, copied here at
// a pinned version (scripts/update-compose-schema.sh fetches it from the Go module proxy and
// checks its digest), so every key `docker compose config` accepts is known here.
import { createRequire } from 'node:module';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { joinPath, type ComposeIssue } from './compose-issues.js';

const require = createRequire(import.meta.url);

/** Where the copy comes from; the schema version test and the update script read it. */
export const COMPOSE_SPEC_SOURCE = { module: 'github.com/compose-spec/compose-go/v2', version: 'v2.16.2', path: 'schema/compose-spec.json' } as const;

/** The formats the schema names, as Compose reads them. */
const FORMATS: Record<string, RegExp | true> = {
  duration: /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$/,
};

let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const schema = require('./schema/compose-spec.json') as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
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
  if (err.keyword === 'unevaluatedProperties') parts.push(String(err.params.unevaluatedProperty));
  return joinPath(parts);
}

function rank(err: ErrorObject): number {
  if (unknownKey(err) || err.keyword === 'enum' || err.keyword === 'required') return 3;
  if (err.keyword === 'oneOf' || err.keyword === 'anyOf') return 1;
  return 2;
}

const unknownKey = (err: ErrorObject) => err.keyword === 'additionalProperties' || err.keyword === 'unevaluatedProperties';

function describe(err: ErrorObject): string {
  if (unknownKey(err)) return `not a key of the compose specification here (${COMPOSE_SPEC_SOURCE.module} ${COMPOSE_SPEC_SOURCE.version})`;
  switch (err.keyword) {
    case 'enum':
      return `must be one of ${(err.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'oneOf':
      return 'does not match any form the compose specification allows here';
    default:
      return err.message ?? 'invalid';
  }
}
