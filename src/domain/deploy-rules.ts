// Deploy rules: an app's ordered list of (event kind, branch or tag glob, optional base-branch
// glob for pull requests, optional changed-paths globs) → environment. The first rule that
// matches wins. Globs are picomatch's (the syntax GitHub Actions' branch filters use): `*`
// stays within one path segment, `**` crosses them, `{a,b}` and `[0-9]` work.
import picomatch from 'picomatch';

export const RULE_EVENTS = ['push', 'tag', 'pull_request'] as const;
export type RuleEvent = (typeof RULE_EVENTS)[number];

export interface DeployRule {
  id: string;
  event: RuleEvent;
  pattern: string;
  base: string | null;
  paths: string[] | null;
  environment: string;
}

/** What happened, reduced to what rules look at. */
export interface RuleInput {
  event: RuleEvent;
  /** Branch or tag name (no refs/heads/ or refs/tags/); for pull requests the head branch. */
  name: string;
  /** Pull requests: the base branch. */
  base?: string | null;
  /** Files the change touched; null when unknown (then path filters do not hold a rule back). */
  changedPaths?: string[] | null;
}

export interface RuleCheck {
  ruleId: string;
  matched: boolean;
  /** Why it did or did not match, for the dry run and the deliveries list. */
  reason: string;
}

export interface RuleMatch {
  rule: DeployRule | null;
  checks: RuleCheck[];
}

const GLOB_OPTIONS = { dot: true, strictBrackets: true } as const;
export const MAX_PATTERN_LENGTH = 256;

/** Why a glob is unusable, or null when it is fine. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `at most ${MAX_PATTERN_LENGTH} characters`;
  // Control characters, spaces and git's forbidden ref characters never occur in a name.
  if (/[\s\x00-\x1f\x7f~^:\\]/.test(pattern)) return 'contains a space, a control character or one of ~ ^ : \\';
  if (/^refs\//.test(pattern)) return 'match the branch or tag name itself, without refs/heads/ or refs/tags/';
  if (pattern.startsWith('/')) return 'must not start with /';
  try {
    picomatch.makeRe(pattern, GLOB_OPTIONS);
  } catch (err) {
    return `not a valid glob: ${(err as Error).message}`;
  }
  return null;
}

/** Same rules for changed-path globs (a leading ./ is a common slip worth naming). */
export function pathPatternProblem(pattern: string): string | null {
  if (pattern.startsWith('./')) return 'paths are relative to the repository root: drop the leading ./';
  if (/^refs\//.test(pattern)) return 'not a path';
  return patternProblem(pattern);
}

const compiled = new Map<string, (s: string) => boolean>();
function matcher(glob: string): (s: string) => boolean {
  let m = compiled.get(glob);
  if (!m) {
    m = picomatch(glob, GLOB_OPTIONS);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(glob, m);
  }
  return m;
}

export function globMatches(glob: string, value: string): boolean {
  return matcher(glob)(value);
}

function check(rule: DeployRule, input: RuleInput): RuleCheck {
  const no = (reason: string) => ({ ruleId: rule.id, matched: false, reason });
  if (rule.event !== input.event) return no(`is for ${rule.event} events, not ${input.event}`);
  const what = input.event === 'tag' ? 'tag' : 'branch';
  if (!globMatches(rule.pattern, input.name)) return no(`${what} ${input.name} does not match ${rule.pattern}`);
  if (rule.event === 'pull_request' && rule.base) {
    if (!input.base) return no('the base branch is unknown');
    if (!globMatches(rule.base, input.base)) return no(`base branch ${input.base} does not match ${rule.base}`);
  }
  if (rule.paths?.length && input.changedPaths) {
    const hit = input.changedPaths.find((p) => rule.paths?.some((g) => globMatches(g, p)));
    if (!hit) return no(`none of ${input.changedPaths.length} changed file(s) match ${rule.paths.join(', ')}`);
    return { ruleId: rule.id, matched: true, reason: `${what} ${input.name} matches ${rule.pattern}; ${hit} matches the paths` };
  }
  return { ruleId: rule.id, matched: true, reason: `${what} ${input.name} matches ${rule.pattern}` };
}

/** The first rule that matches (rules in order), with every rule's verdict up to it. */
export function matchRules(rules: DeployRule[], input: RuleInput): RuleMatch {
  const checks: RuleCheck[] = [];
  for (const rule of rules) {
    const c = check(rule, input);
    checks.push(c);
    if (c.matched) return { rule, checks };
  }
  return { rule: null, checks };
}

/** One line naming a rule, for deliveries and logs. */
export function describeRule(rule: DeployRule): string {
  const base = rule.base ? ` into ${rule.base}` : '';
  const paths = rule.paths?.length ? ` touching ${rule.paths.join(', ')}` : '';
  return `${rule.event} ${rule.pattern}${base}${paths} → ${rule.environment}`;
}
