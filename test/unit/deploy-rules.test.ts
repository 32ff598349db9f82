import { describe, expect, test } from 'vitest';
import { describeRule, matchRules, pathPatternProblem, patternProblem, type DeployRule } from '../../src/domain/deploy-rules.js';

const rule = (r: Partial<DeployRule> & Pick<DeployRule, 'event' | 'pattern' | 'environment'>): DeployRule => ({ id: `rul_${r.pattern}`, base: null, paths: null, ...r });

describe('deploy rules', () => {
  const rules = [
    rule({ event: 'push', pattern: 'main', environment: 'prod' }),
    rule({ event: 'push', pattern: 'release/**', environment: 'staging', paths: ['services/api/**', 'package.json'] }),
    rule({ event: 'push', pattern: 'feature/*', environment: 'dev' }),
    rule({ event: 'tag', pattern: 'v[0-9]*.{0,1,2}.*', environment: 'prod' }),
    rule({ event: 'pull_request', pattern: '**', base: 'main', environment: 'staging' }),
  ];

  test('the first matching rule wins; globs, not exact names', () => {
    expect(matchRules(rules, { event: 'push', name: 'main' }).rule?.environment).toBe('prod');
    expect(matchRules(rules, { event: 'push', name: 'feature/login' }).rule?.environment).toBe('dev');
    // * stays within one segment, ** crosses them.
    expect(matchRules(rules, { event: 'push', name: 'feature/a/b' }).rule).toBeNull();
    expect(matchRules(rules, { event: 'push', name: 'release/2024/q1', changedPaths: ['services/api/src/x.ts'] }).rule?.environment).toBe('staging');
    expect(matchRules(rules, { event: 'tag', name: 'v1.2.3' }).rule?.environment).toBe('prod');
    expect(matchRules(rules, { event: 'tag', name: 'v1.7.3' }).rule).toBeNull();
    expect(matchRules(rules, { event: 'tag', name: 'main' }).rule).toBeNull();
  });

  test('path filters hold a rule back unless a changed file matches; unknown changes do not', () => {
    const m = matchRules(rules, { event: 'push', name: 'release/1', changedPaths: ['docs/readme.md'] });
    expect(m.rule).toBeNull();
    expect(m.checks[1]?.reason).toMatch(/none of 1 changed file\(s\) match services\/api\/\*\*, package.json/);
    expect(matchRules(rules, { event: 'push', name: 'release/1', changedPaths: ['package.json'] }).rule?.environment).toBe('staging');
    expect(matchRules(rules, { event: 'push', name: 'release/1', changedPaths: null }).rule?.environment).toBe('staging');
  });

  test('pull-request rules look at the base branch; every verdict says why', () => {
    expect(matchRules(rules, { event: 'pull_request', name: 'x', base: 'main' }).rule?.environment).toBe('staging');
    const m = matchRules(rules, { event: 'pull_request', name: 'x', base: 'develop' });
    expect(m.rule).toBeNull();
    expect(m.checks.map((c) => c.reason)).toEqual([
      'is for push events, not pull_request',
      'is for push events, not pull_request',
      'is for push events, not pull_request',
      'is for tag events, not pull_request',
      'base branch develop does not match main',
    ]);
  });

  test('patterns are validated with clear reasons', () => {
    expect(patternProblem('release/**')).toBeNull();
    expect(patternProblem('')).toMatch(/empty/);
    expect(patternProblem('refs/heads/main')).toMatch(/without refs\/heads\//);
    expect(patternProblem('feature/[abc')).toMatch(/not a valid glob: Missing closing: "\]"/);
    expect(patternProblem('a b')).toMatch(/space/);
    expect(patternProblem('/main')).toMatch(/start with \//);
    expect(patternProblem('x'.repeat(300))).toMatch(/at most 256/);
    expect(pathPatternProblem('./src/**')).toMatch(/drop the leading \.\//);
    expect(describeRule(rules[1] as DeployRule)).toBe('push release/** touching services/api/**, package.json → staging');
  });
});
