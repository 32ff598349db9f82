// berth rules test: which of an app's deploy rules a ref matches, and why the others did not.
import { Option, type Command } from 'commander';
import { unwrap } from '../client/berth-client.js';
import type { Run } from './command-context.js';
import { EXIT } from './exit-codes.js';
import { examples } from './help-examples.js';

export function registerRulesCommands(program: Command, run: Run) {
  const rules = program.command('rules').description('An app’s deploy rules (which pushes, tags and pull requests deploy where)');
  rules
    .command('test')
    .description('Dry run: which rule a branch or tag matches; exits 0 when one does, 1 when none does')
    .argument('<app>', 'the app')
    .argument('<ref>', 'a branch or tag name (refs/heads/… and refs/tags/… work too)')
    .addOption(new Option('--event <event>', 'what happened to the ref').choices(['push', 'tag', 'pull_request']).default('push'))
    .option('--base <branch>', 'pull_request: the base branch')
    .option('--path <file...>', 'changed files, for rules with path filters')
    .addHelpText('after', examples(['berth rules test web main', 'berth rules test web v1.4.2 --event tag', 'berth rules test web feature/login --event pull_request --base main', 'berth rules test api main --path services/api/index.ts']))
    .action(
      run(async (ctx, app: string, ref: string, options: { event: 'push' | 'tag' | 'pull_request'; base?: string; path?: string[] }) => {
        const result = await unwrap(
          (await ctx.client()).POST('/apps/{app}/rules/match', {
            params: { path: { app } },
            body: { event: options.event, ref, ...(options.base ? { base: options.base } : {}), ...(options.path ? { paths: options.path } : {}) },
          }),
        );
        if (ctx.out.format === 'json') ctx.out.json(result);
        else {
          ctx.out.list(result.checks, ['RULE', 'MATCHED', 'WHY'], (c) => [c.ruleId, c.matched ? 'yes' : 'no', c.reason]);
          ctx.out.note(result.rule ? `${ref} matches rule ${result.rule.position + 1} (${result.rule.description}): deploys to ${result.environment}` : `no rule matches ${options.event} ${ref}`);
        }
        return result.matched ? EXIT.ok : EXIT.failed;
      }),
    );
}
