// Compiling an app's compose file from the API: the same compiler the deploy uses, so what the
// API accepts is what the rollout runs; compose problems become one 400 listing each issue.
import type { Db } from '../db/client.js';
import type { AppRow } from '../db/queries/apps.js';
import type { EnvironmentRow } from '../db/queries/environments.js';
import { getGitSource } from '../db/queries/git-sources.js';
import { getAppCompose, getStackOverride } from '../db/queries/stacks.js';
import { effectiveVariables, type VariableSite } from '../db/queries/variables.js';
import { checkCompose, parseCompose, type CompiledStack } from '../src/compose/compile-stack.js';
import { ComposeInvalid, type ComposeIssue } from '../src/compose/compose-issues.js';
import type { Config } from '../src/config.js';
import type { VariableValue } from '../src/domain/variable-layers.js';
import type { SecretBox } from '../src/secrets/secret-box.js';
import { conflict, invalid } from './errors.js';
import { refusal, variableSite } from './variable-checks.js';

function rejected(what: string, issues: ComposeIssue[]) {
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return invalid(`${what}: ${first?.message ?? 'invalid'}${more}`, issues.map((i) => ({ path: i.path, message: i.message })));
}

/** Issues that only an environment's variables can settle. */
const MISSING_REQUIRED = /^required variable (\w+) is missing|environment variable (\w+) is not set/;
/** Rounds of placeholders tried for required variables (each round may reveal more). */
const PLACEHOLDER_ROUNDS = 5;

/**
 * Checks a compose file on its own, as it is uploaded: variables come from each environment at
 * deploy time, so a required variable stands in with a placeholder and everything else is checked.
 * Returns the stack compiled with those placeholders (for its warnings and plan).
 */
export function assertComposeShape(config: Config, compose: string, override: string | null = null, given: Record<string, string> = {}): CompiledStack {
  const variables: Record<string, string> = { ...given };
  for (let round = 0; round < PLACEHOLDER_ROUNDS; round++) {
    const result = checkCompose({ compose, override, variables, allowedBindPaths: config.stackBindPaths, allowed: config.stackAllow });
    if (result.ok) return result.compiled;
    const missing = result.issues.map((i) => MISSING_REQUIRED.exec(i.message)).flatMap((m) => (m ? [(m[1] ?? m[2]) as string] : []));
    const real = result.issues.filter((i) => !MISSING_REQUIRED.test(i.message));
    if (real.length || missing.length === 0) throw rejected(override ? 'compose override' : 'compose file', real.length ? real : result.issues);
    for (const name of missing) variables[name] = '1';
  }
  throw rejected('compose file', [{ path: 'compose', message: `more than ${PLACEHOLDER_ROUNDS} rounds of required variables` }]);
}

/** Stands in for a secret variable's value wherever a stack is shown rather than run. */
export const SECRET_PLACEHOLDER = '[secret]';

/**
 * The stack an environment would run now: compose, override and variables as they are. With
 * `showing`, secret variables compile as a placeholder: the result is for people to read.
 */
export async function compileForEnvironment(db: Db, config: Config, box: SecretBox, app: AppRow, env: EnvironmentRow, options: { showing?: boolean; overrides?: Record<string, VariableValue> } = {}): Promise<CompiledStack> {
  const compose = await getAppCompose(db, app.id);
  if (!compose) throw invalid(`app ${app.name} has no compose file`, [{ path: 'compose', message: 'upload one with PUT /apps/{app}/compose' }]);
  const result = checkCompose({
    compose,
    override: await getStackOverride(db, env.id),
    variables: await variablesFor(db, box, variableSite(config), env.id, options),
    allowedBindPaths: config.stackBindPaths,
    allowed: config.stackAllow,
  });
  if (!result.ok) throw rejected('compose file', result.issues);
  return result.compiled;
}

async function variablesFor(db: Db, box: SecretBox, site: VariableSite, environmentId: string, options: { showing?: boolean; overrides?: Record<string, VariableValue> }): Promise<Record<string, string>> {
  const { variables, errors } = await effectiveVariables(db, box, environmentId, { deploymentId: null, site, ...(options.overrides ? { overrides: options.overrides } : {}) });
  if (errors.length) throw refusal(errors.map((e) => ({ path: `variables.${e.key}`, message: e.message })));
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, v.secret && options.showing ? SECRET_PLACEHOLDER : v.value]));
}

export function assertStackApp(app: AppRow): void {
  if (app.kind !== 'stack') throw invalid(`app ${app.name} is of kind ${app.kind}, not stack`, [{ path: 'kind', message: 'only apps of kind stack have a compose file' }]);
}

/** A stack whose compose file comes from its git repository (it has git settings). */
export async function isGitBackedStack(db: Db, app: AppRow): Promise<boolean> {
  return app.kind === 'stack' && (await getGitSource(db, app.id)) !== undefined;
}

export function assertUploadedCompose(app: AppRow, gitBacked: boolean): void {
  if (gitBacked) {
    throw invalid(`app ${app.name} reads its compose file from its repository (git.composeFile); it takes no upload`, [{ path: 'compose', message: 'not for a stack with git settings' }]);
  }
}

/**
 * A git-backed stack's compose file exists only at a commit, which only a deployment fetches
 * (the API never clones): its dry run is refused, and an override is checked as YAML here and
 * in full by the deployment that merges it over the file.
 */
export function refuseDryRunWithoutCommit(app: AppRow): never {
  throw conflict(`app ${app.name} reads its compose file from its repository: a dry run needs a commit, and only a deployment fetches one (POST …/deployments with ref or sha; its build and resolve phases show what it compiled)`);
}

export function assertOverrideParses(override: string): void {
  try {
    parseCompose(override, 'override');
  } catch (err) {
    if (err instanceof ComposeInvalid) throw rejected('compose override', err.issues);
    throw err;
  }
}
