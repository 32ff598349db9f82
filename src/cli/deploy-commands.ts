// berth deploy, berth rollback and berth move: ask for the deployment, then (unless --detach) watch it to
// its end and exit with the code its outcome means.
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { unwrap, type BerthClient } from '../client/berth-client.js';
import type { CommandContext, Run } from './command-context.js';
import { chooseView } from './deploy-views.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { examples } from './help-examples.js';
import { packSite } from './site-archive.js';
import { parseAssignments } from './variable-assignments.js';
import { watchDeployment } from './watch-deployment.js';

interface WatchOptions {
  detach?: boolean;
  logs?: boolean;
}

interface DeployOptions extends WatchOptions {
  image?: string;
  ref?: string;
  sha?: string;
  dir?: string;
  compose?: string;
  var: string[];
  secretVar: string[];
  strategy?: 'canary' | 'all-at-once' | 'blue-green';
}

type Accepted = { deploymentId: string; workflowId: string; temporalUrl: string; url: string };

export function registerDeployCommands(program: Command, run: Run) {
  const watchFlags = (cmd: Command) =>
    cmd.option('-d, --detach', 'return once the deployment is queued, without waiting').option('--logs', 'show every log line while waiting (default: warnings and errors)');

  watchFlags(
    program
      .command('deploy')
      .description('Deploy to an environment and wait until it is live (or failed, cancelled, superseded)')
      .argument('<app>', 'the app')
      .argument('<env>', 'the environment')
      .option('--image <ref>', 'image apps: the image to release (default: the app’s image)')
      .option('--ref <ref>', 'apps built from git: the branch or tag to build')
      .option('--sha <sha>', 'apps built from git: the exact commit')
      .option('--dir <path>', 'static apps: the site’s directory, packed and uploaded')
      .option('--compose <file>', 'stacks: upload this compose file, then deploy it')
      .option('--var <KEY=VALUE>', 'a variable of this deploy only, over the project’s and the environment’s (repeat it)', collect, [])
      .option('--secret-var <KEY=VALUE>', 'the same, secret: sealed, never shown (KEY=- reads the value from stdin)', collect, [])
      .addOption(new Option('--strategy <how>', 'image, git and stack apps: canary, all-at-once or blue-green (default: the environment’s setting; a static site takes its environment’s)').choices(['canary', 'all-at-once', 'blue-green'])),
  )
    .addHelpText(
      'after',
      examples([
        'berth deploy web prod --image registry.example.com/web:1.4.2',
        'berth deploy api staging --ref main',
        'berth deploy docs prod --dir ./public',
        'berth deploy shop prod --compose compose.yaml',
        'printf %s "$TOKEN" | berth deploy web prod --var LOG_LEVEL=debug --secret-var API_TOKEN=-',
        'berth deploy web prod --detach            # prints the deployment id and returns',
        'berth deploy web prod --image web:1.5 --strategy canary   # berth canary promote|pause|resume|abort DEPLOYMENT',
        'berth deploy web prod --image web:1.6 --strategy blue-green   # answers on next.<host> before the switch',
        'berth deploy web prod -o json | jq -c \'select(.event == "phase")\'',
      ]),
    )
    .action(
      run(async (ctx, app: string, env: string, options: DeployOptions) => {
        const sources = (['image', 'ref', 'sha', 'dir', 'compose'] as const).filter((k) => options[k] !== undefined);
        if (sources.length > 1) throw new CliError(`give one of --${sources.join(', --')}, not several`, EXIT.usage);
        const client = await ctx.client();
        const accepted = await requestDeploy(client, app, env, options);
        return follow(ctx, client, accepted, app, env, options);
      }),
    );

  watchFlags(
    program
      .command('rollback')
      .description('Make an earlier release live again and wait for it (default: the one live before the current)')
      .argument('<app>', 'the app')
      .argument('<env>', 'the environment')
      .option('--to <release>', 'the release: its number (berth releases) or id'),
  )
    .addHelpText('after', examples(['berth rollback web prod', 'berth rollback web prod --to 41', 'berth rollback web prod --to rel_01hx… --detach']))
    .action(
      run(async (ctx, app: string, env: string, options: WatchOptions & { to?: string }) => {
        const client = await ctx.client();
        const releaseId = options.to === undefined ? undefined : await releaseIdOf(client, app, env, options.to);
        const path = { app, env };
        const accepted = await unwrap(client.POST('/apps/{app}/environments/{env}/rollback', { params: { path }, body: releaseId ? { releaseId } : {} }));
        return follow(ctx, client, accepted, app, env, options);
      }),
    );

  watchFlags(
    program
      .command('move')
      .description('Move a deployed environment to another host and wait: its live release deployed there, the route switched, the old host emptied')
      .argument('<app>', 'the app')
      .argument('<env>', 'the environment')
      .argument('<host>', 'the host to move to (`default`: the installation’s own host)'),
  )
    .addHelpText('after', examples(['berth move web prod edge-2', 'berth move web prod default --detach']))
    .action(
      run(async (ctx, app: string, env: string, host: string, options: WatchOptions) => {
        const client = await ctx.client();
        const path = { app, env };
        const accepted = await unwrap(client.POST('/apps/{app}/environments/{env}/move', { params: { path }, body: { hostId: host === 'default' ? null : host } }));
        return follow(ctx, client, accepted, app, env, options);
      }),
    );
}

async function requestDeploy(client: BerthClient, app: string, env: string, options: DeployOptions): Promise<Accepted> {
  const path = { app, env };
  if (options.dir !== undefined && options.var.length + options.secretVar.length > 0) {
    throw new CliError('a static site runs no variables: --var and --secret-var are for image, git and stack apps', EXIT.usage);
  }
  if (options.dir !== undefined) {
    const archive = await packSite(options.dir);
    return unwrap(
      client.POST('/apps/{app}/environments/{env}/deployments', {
        params: { path },
        // The archive goes as it is: openapi-fetch would otherwise serialise the body as JSON.
        body: archive as never,
        bodySerializer: (body: unknown) => body as never,
        headers: { 'content-type': 'application/gzip' },
      }),
    );
  }
  if (options.compose !== undefined) {
    const compose = await readFile(options.compose, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`--compose ${options.compose}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, EXIT.usage);
    });
    await unwrap(client.PUT('/apps/{app}/compose', { params: { path: { app } }, body: { compose } }));
  }
  const source = options.image ? { image: options.image } : options.ref ? { ref: options.ref } : options.sha ? { sha: options.sha } : {};
  const body = { ...source, ...(options.strategy ? { strategy: options.strategy } : {}), ...(await deployVariables(options)) };
  return unwrap(client.POST('/apps/{app}/environments/{env}/deployments', { params: { path }, body }));
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** A deploy's own variables: --var and --secret-var, one value at most from stdin. */
async function deployVariables(options: DeployOptions): Promise<{ variables?: Record<string, string>; secret?: string[] }> {
  if (options.var.length + options.secretVar.length === 0) return {};
  const variables = await parseAssignments([...options.var, ...options.secretVar]);
  // Parsed above, so each has a KEY before its first '='.
  return { variables, secret: options.secretVar.map((a) => a.slice(0, a.indexOf('='))) };
}

async function releaseIdOf(client: BerthClient, app: string, env: string, release: string): Promise<string> {
  if (!/^\d+$/.test(release)) return release;
  const { items } = await unwrap(client.GET('/apps/{app}/environments/{env}/releases', { params: { path: { app, env } } }));
  const found = items.find((r) => r.number === Number(release));
  if (!found) throw new CliError(`${app}/${env} has no release ${release} (berth releases ${app} ${env} lists them)`, EXIT.notFound);
  return found.id;
}

async function follow(ctx: CommandContext, client: BerthClient, accepted: Accepted, app: string, env: string, options: WatchOptions): Promise<ExitCode> {
  const { out } = ctx;
  if (out.format === 'json') out.line(JSON.stringify({ event: 'accepted', ...accepted }));
  else out.line(accepted.deploymentId);
  if (options.detach) {
    if (out.format !== 'json') out.note(`queued ${accepted.deploymentId}; follow it with: berth logs -f ${accepted.deploymentId}`);
    return EXIT.ok;
  }
  const view = chooseView(out, Boolean(options.logs));
  const url = async () => (await unwrap(client.GET('/apps/{app}/environments/{env}', { params: { path: { app, env } } }))).url;
  return watchDeployment(client, view, { deploymentId: accepted.deploymentId, title: `${app} → ${env}`, temporalUrl: accepted.temporalUrl }, url);
}
