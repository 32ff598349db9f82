// berth spread: an image environment's replicas spread over several hosts (docs/operations.md,
// "spread"). Without options it shows the setting; with --count it sets it; --off puts every
// replica back on the environment's one host. Berth changes it only while nothing is live, and
// chooses the hosts at each deploy among those alive and not draining.
import type { Command } from 'commander';
import { unwrap, type Schemas } from '../client/berth-client.js';
import type { Run } from './command-context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help-examples.js';
import { parseAssignments } from './variable-assignments.js';

type Spread = Schemas['Environment']['spread'];

interface SpreadOptions {
  count?: string;
  hosts?: string;
  label: string[];
  off?: boolean;
}

const describeSpread = (s: Spread) =>
  s === null
    ? 'not spread: every replica on the environment’s one host'
    : `spread over ${s.count} host(s)${s.hosts ? ` of ${s.hosts.join(', ')}` : ''}${s.labels && Object.keys(s.labels).length ? ` labelled ${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(',')}` : ''}`;

/** The request's spread from the options: undefined when none was given (show only). */
async function spreadFrom(options: SpreadOptions): Promise<Spread | undefined> {
  const setting = options.count !== undefined || options.hosts !== undefined || options.label.length > 0;
  if (options.off && setting) throw new CliError('--off takes no --count, --hosts or --label', EXIT.usage);
  if (options.off) return null;
  if (!setting) return undefined;
  if (options.count === undefined || !/^[1-9]\d*$/.test(options.count)) throw new CliError('--count must be a whole number of hosts, 1 or more', EXIT.usage);
  const hosts = options.hosts?.split(',').map((h) => h.trim());
  if (hosts?.some((h) => h === '')) throw new CliError('--hosts is a comma-separated list of host ids', EXIT.usage);
  const labels = await parseAssignments(options.label);
  return { count: Number(options.count), ...(hosts ? { hosts } : {}), ...(Object.keys(labels).length ? { labels } : {}) };
}

export function registerSpreadCommands(program: Command, run: Run) {
  program
    .command('spread')
    .description('Show or set how an image environment’s replicas spread over hosts (set while nothing is live)')
    .argument('<app>', 'the app')
    .argument('<env>', 'the environment')
    .option('--count <n>', 'how many hosts the replicas are spread over')
    .option('--hosts <a,b>', 'the hosts to choose from (default: every host alive and not draining)')
    .option('--label <key=value...>', 'only hosts with all these labels', [])
    .option('--off', 'no spread: every replica on the environment’s one host')
    .addHelpText('after', examples(['berth spread web prod', 'berth spread web prod --count 2', 'berth spread web prod --count 2 --hosts edge-1,edge-2', 'berth spread web prod --count 3 --label region=eu', 'berth spread web prod --off']))
    .action(
      run(async (ctx, app: string, env: string, options: SpreadOptions) => {
        const client = await ctx.client();
        const path = { app, env };
        const spread = await spreadFrom(options);
        const environment =
          spread === undefined
            ? await unwrap(client.GET('/apps/{app}/environments/{env}', { params: { path } }))
            : await unwrap(client.PATCH('/apps/{app}/environments/{env}', { params: { path }, body: { spread } }));
        if (ctx.out.format === 'json') ctx.out.json({ app, environment: env, spread: environment.spread });
        else ctx.out.line(`${app}/${env}: ${describeSpread(environment.spread)}`);
        return EXIT.ok;
      }),
    );
}
