// An environment's own variables: read them (secret ones by name only), set some, remove some.
// Changes go through PATCH, so the other variables — secret ones included, whose values nobody
// can read back — stay as they are. They apply from the next deployment.
import type { Command } from 'commander';
import { unwrap } from '../client/berth-client.js';
import type { Run } from './command-context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help-examples.js';
import { parseAssignments } from './variable-assignments.js';

export function registerVarsCommands(program: Command, run: Run) {
  const vars = program.command('vars').description('An environment’s variables (applied from the next deployment)');
  vars
    .command('get')
    .description('List the variables (secret ones by name), or print one value')
    .argument('<app>', 'the app')
    .argument('<env>', 'the environment')
    .argument('[key]', 'print only this variable’s value')
    .addHelpText('after', examples(['berth vars get web prod', 'berth vars get web prod LOG_LEVEL', 'berth vars get web prod -o json']))
    .action(
      run(async (ctx, app: string, env: string, key: string | undefined) => {
        const res = await unwrap((await ctx.client()).GET('/apps/{app}/environments/{env}/variables', { params: { path: { app, env } } }));
        if (key !== undefined) {
          if (res.secret.includes(key)) throw new CliError(`${key} is secret: its value is never shown`, EXIT.forbidden);
          const value = res.variables[key];
          if (value === undefined) throw new CliError(`${app}/${env} has no variable ${key}`, EXIT.notFound);
          return ctx.out.format === 'json' ? ctx.out.json({ [key]: value }) : ctx.out.line(value);
        }
        if (ctx.out.format === 'json') return ctx.out.json(res);
        const rows = [...Object.entries(res.variables).map(([k, v]) => ({ key: k, value: v, secret: false })), ...res.secret.map((k) => ({ key: k, value: '(secret)', secret: true }))];
        ctx.out.list(rows.sort((a, b) => a.key.localeCompare(b.key)), ['KEY', 'VALUE'], (r) => [r.key, r.value]);
      }),
    );

  vars
    .command('effective')
    .description('What the next deployment gets: project, environment chain, references resolved; each with where it came from')
    .argument('<app>', 'the app')
    .argument('<env>', 'the environment')
    .addHelpText('after', examples(['berth vars effective web prod', 'berth vars effective web prod -o json']))
    .action(
      run(async (ctx, app: string, env: string) => {
        const res = await unwrap((await ctx.client()).GET('/apps/{app}/environments/{env}/variables/effective', { params: { path: { app, env } } }));
        if (ctx.out.format === 'json') return ctx.out.json(res);
        const from = (s: { level: string; environment: string | null }) => (s.level === 'environment' ? `environment ${s.environment ?? ''}` : s.level);
        ctx.out.list(res.items, ['KEY', 'VALUE', 'FROM'], (r) => [r.key, r.secret ? '(secret)' : (r.value ?? ''), from(r.source)]);
        // Keys that do not resolve would refuse the next deploy: say so, and how it ends.
        for (const e of res.errors) ctx.out.note(`${e.key}: ${e.message}`);
        if (res.errors.length) throw new CliError(`${res.errors.length} variable(s) do not resolve: a deploy is refused until they do`, EXIT.rejected);
      }),
    );

  vars
    .command('set')
    .description('Set variables, keeping the others')
    .argument('<app>', 'the app')
    .argument('<env>', 'the environment')
    .argument('<assignments...>', 'KEY=VALUE (KEY=- reads the value from stdin, so it stays out of the process list)')
    .option('--secret', 'the values are secret: sealed, never shown again')
    .addHelpText('after', examples(['berth vars set web prod LOG_LEVEL=debug WORKERS=4', 'printf %s "$DB_PASSWORD" | berth vars set web prod DB_PASSWORD=- --secret']))
    .action(
      run(async (ctx, app: string, env: string, assignments: string[], options: { secret?: boolean }) => {
        const variables = await parseAssignments(assignments);
        const res = await unwrap(
          (await ctx.client()).PATCH('/apps/{app}/environments/{env}/variables', {
            params: { path: { app, env } },
            body: { variables, unset: [], ...(options.secret ? { secret: Object.keys(variables) } : {}) },
          }),
        );
        if (ctx.out.format === 'json') return ctx.out.json(res);
        ctx.out.note(`set ${Object.keys(variables).join(', ')} on ${app}/${env}${options.secret ? ' (secret)' : ''}; applies from the next deployment`);
      }),
    );

  vars
    .command('unset')
    .description('Remove variables; a name that is not set is an error and nothing changes')
    .argument('<app>', 'the app')
    .argument('<env>', 'the environment')
    .argument('<keys...>', 'the variables to remove')
    .addHelpText('after', examples(['berth vars unset web prod LOG_LEVEL WORKERS']))
    .action(
      run(async (ctx, app: string, env: string, keys: string[]) => {
        const res = await unwrap((await ctx.client()).PATCH('/apps/{app}/environments/{env}/variables', { params: { path: { app, env } }, body: { variables: {}, unset: keys } }));
        if (ctx.out.format === 'json') return ctx.out.json(res);
        ctx.out.note(`removed ${keys.join(', ')} from ${app}/${env}; applies from the next deployment`);
      }),
    );
}
