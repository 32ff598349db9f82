// The one check of an environment's variables before anything is queued: references resolve
// (no cycle, nothing unset) and the app's variable schema holds. The API refuses with it (a 400),
// a git push or pull request's delivery plan refuses with it (a failed commit status).
import { checkVariableSchema, type VariableSchema } from '../../src/domain/variable-schema.js';
import type { VariableValue } from '../../src/domain/variable-layers.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import type { Db } from '../client.js';
import { effectiveVariables, type VariableSite } from './variables.js';
import type { EnvironmentBasis } from './environment-settings.js';

export interface VariableIssue {
  key: string;
  message: string;
}

/** What is wrong with one environment's variables (with a deploy's overrides, when given). */
export async function variableIssues(
  db: Db,
  box: SecretBox,
  site: VariableSite,
  app: { variableSchema: VariableSchema | null },
  environmentId: string,
  overrides?: Record<string, VariableValue>,
  basis?: EnvironmentBasis,
): Promise<VariableIssue[]> {
  const { variables, errors } = await effectiveVariables(db, box, environmentId, { deploymentId: null, site, ...(overrides ? { overrides } : {}), ...(basis ? { basis } : {}) });
  const violations = app.variableSchema ? checkVariableSchema(app.variableSchema, variables) : [];
  // A key that did not resolve is also missing from `variables`: its reference error says why.
  const refused = new Set(errors.map((e) => e.key));
  return [...errors, ...violations.filter((v) => !refused.has(v.key))].map((e) => ({ key: e.key, message: e.message }));
}

/** One line naming each key, then why (the API's 400 and a refused push's commit status say the same). */
export function describeVariableIssues(issues: readonly VariableIssue[]): string {
  const keys = [...new Set(issues.map((i) => i.key))];
  return `variables not accepted: ${keys.join(', ')} (${issues.map((i) => `${i.key}: ${i.message}`).join('; ')})`;
}
