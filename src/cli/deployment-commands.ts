// One deployment's log (and following it live), cancelling one, and an environment's releases.
import type { Command } from 'commander';
import { unwrap, type Schemas } from '../client/berth-client.js';
import { followDeployment } from '../client/deployment-events.js';
import type { CommandContext, Run } from './command-context.js';
import { examples } from './help-examples.js';
import { APP_ENV, printAppLogs, type AppLogOptions } from './app-logs.js';
import { CliError, EXIT } from './exit-codes.js';

/** The API's page size for log lines; a shorter page is the last. */
const LOG_PAGE = 500;

type LogLine = Schemas['LogLine'];

export function registerDeploymentCommands(program: Command, run: Run) {
  program
    .command('logs')
    .description(
      'A deployment’s log (deploy and build), or with APP/ENV the app’s own output (its running containers’ stdout and stderr); -f follows either live',
    )
    .argument('<target>', 'a deployment id (dep_…), or APP/ENV')
    .option('-f, --follow', 'keep printing lines as they come (a deployment: until it ends)')
    .option('--grep <regex>', 'APP/ENV: lines matching this regular expression')
    .option('--contains <text>', 'APP/ENV: lines containing this text (any case)')
    .option('--since <time>', 'APP/ENV: from this time (RFC 3339, or a duration before now: 30s, 15m, 2h, 7d)')
    .option('--until <time>', 'APP/ENV: before this time')
    .option('--tail <n>', 'APP/ENV: the newest n lines only (default 200)')
    .option('--replica <n>', "APP/ENV: one replica's lines")
    .option('--service <name>', "APP/ENV: a stack's one service")
    .addHelpText(
      'after',
      examples([
        'berth logs dep_01hx…',
        'berth logs -f dep_01hx…',
        'berth logs dep_01hx… -o json | jq -r .message',
        'berth logs web/prod --since 15m --grep "ERROR|WARN"',
        'berth logs web/prod -f --replica 0',
      ]),
    )
    .action(
      run(async (ctx, id: string, options: AppLogOptions) => {
        if (APP_ENV.test(id)) return printAppLogs(ctx, id, options);
        const only = (['grep', 'contains', 'since', 'until', 'tail', 'replica', 'service'] as const).find((k) => options[k] !== undefined);
        if (only) throw new CliError(`--${only} is for app logs (APP/ENV), not a deployment's`, EXIT.usage);
        const client = await ctx.client();
        const print = printer(ctx);
        if (!options.follow) {
          for (let after = 0; ; ) {
            const { items } = await unwrap(client.GET('/deployments/{id}/logs', { params: { path: { id }, query: { after } } }));
            items.forEach(print);
            if (items.length < LOG_PAGE) return;
            after = items[items.length - 1]?.id ?? after;
          }
        }
        const status = await followDeployment(client, {
          deploymentId: id,
          onEvent: (e) => {
            if (e.event === 'log') print(e.data);
          },
          onConnection: (state, reason) => ctx.out.note(state === 'lost' ? `berth: connection lost (${reason}); reconnecting…` : 'berth: reconnected; resuming after the last line shown'),
        });
        ctx.out.note(`deployment ${id} ${status}`);
      }),
    );

  program
    .command('cancel')
    .description('Cancel a queued or running deployment: a queued one never runs; a running one stops before its traffic switch and undoes its work')
    .argument('<deployment>', 'the deployment id (dep_…)')
    .addHelpText('after', examples(['berth cancel dep_01hx…']))
    .action(
      run(async (ctx, id: string) => {
        const res = await unwrap((await ctx.client()).POST('/deployments/{id}/cancel', { params: { path: { id } } }));
        if (ctx.out.format === 'json') return ctx.out.json(res);
        ctx.out.note(`${id}: ${res.status} (berth logs -f ${id} follows it to its end)`);
      }),
    );

  program
    .command('releases')
    .description('An environment’s releases, newest first; the live one is marked')
    .argument('<app>', 'the app')
    .argument('<env>', 'the environment')
    .addHelpText('after', examples(['berth releases web prod', 'berth rollback web prod --to "$(berth releases web prod | sed -n 2p | cut -f1)"']))
    .action(
      run(async (ctx, app: string, env: string) => {
        const { items } = await unwrap((await ctx.client()).GET('/apps/{app}/environments/{env}/releases', { params: { path: { app, env } } }));
        ctx.out.list(items, ['NUMBER', 'LIVE', 'IMAGE', 'CREATED', 'DEPLOYMENT', 'ID'], (r) => [r.number, r.live ? 'live' : '', r.imageRef, r.createdAt, r.createdByDeploymentId, r.id]);
      }),
    );
}

function printer(ctx: CommandContext): (line: LogLine) => void {
  const seen = new Set<number>();
  return (line) => {
    // A reconnect resumes after the last line; a repeat would still be dropped here.
    if (seen.has(line.id)) return;
    seen.add(line.id);
    if (ctx.out.format === 'json') return ctx.out.line(JSON.stringify(line));
    const level = line.level === 'info' ? '' : `${line.level.toUpperCase()} `;
    ctx.out.line(`${line.at.slice(11, 23)} ${line.phase ? `[${line.phase}] ` : ''}${level}${line.message}`);
  };
}
