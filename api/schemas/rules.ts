import { z } from '@hono/zod-openapi';
import { pathPatternProblem, patternProblem, RULE_EVENTS } from '../../src/domain/deploy-rules.js';
import { Name } from './common.js';

const glob = (problem: (p: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const why = problem(value);
    if (why) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value.slice(0, 80))}: ${why}` });
  });

export const Glob = glob(patternProblem).openapi({ example: 'release/**' });
const PathGlob = glob(pathPatternProblem).openapi({ example: 'services/api/**' });

export const RuleInput = z
  .object({
    event: z.enum(RULE_EVENTS).openapi({ description: 'push (branches), tag, or pull_request (previews)' }),
    pattern: Glob.openapi({ description: 'Glob over the branch or tag name; for pull requests the head branch' }),
    base: Glob.nullable().optional().openapi({ description: 'pull_request only: glob over the base branch' }),
    paths: z.array(PathGlob).min(1).max(50).nullable().optional().openapi({ description: 'At least one changed file must match one of these' }),
    environment: Name.openapi({ description: 'Environment to deploy to; for pull_request the template of the pr-<n> previews' }),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.base && rule.event !== 'pull_request') ctx.addIssue({ code: 'custom', path: ['base'], message: 'only pull_request rules have a base branch' });
  })
  .openapi('RuleInput');

export const RulesInput = z.object({ rules: z.array(RuleInput).max(100) }).strict().openapi('RulesInput');

export const Rule = z
  .object({
    id: z.string(),
    position: z.number(),
    event: z.string(),
    pattern: z.string(),
    base: z.string().nullable(),
    paths: z.array(z.string()).nullable(),
    environment: z.string(),
    description: z.string(),
  })
  .openapi('Rule');

export const MatchInput = z
  .object({
    event: z.enum(RULE_EVENTS),
    ref: z
      .string()
      .min(1)
      .max(255)
      .openapi({ description: 'Branch or tag (refs/heads/… and refs/tags/… are accepted too)', example: 'refs/heads/feature/login' }),
    base: z.string().min(1).max(255).optional().openapi({ description: 'pull_request: the base branch' }),
    paths: z.array(z.string().min(1).max(1024)).max(3000).optional().openapi({ description: 'Changed files; leave out to ignore path filters' }),
  })
  .strict()
  .openapi('MatchInput');

export const MatchResult = z
  .object({
    matched: z.boolean(),
    rule: z.union([Rule, z.null()]),
    environment: z.string().nullable(),
    checks: z.array(z.object({ ruleId: z.string(), matched: z.boolean(), reason: z.string() })),
  })
  .openapi('MatchResult');
