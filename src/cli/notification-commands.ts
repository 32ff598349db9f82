// berth notifications: a project's (--project) or the instance's notification channels, their
// delivery log, and a test message. A destination carries secrets, so it is read from stdin,
// never from the command line (where shell history and `ps` would keep it).
import { Option, type Command } from 'commander';
import { unwrap } from '../client/berth-client.js';
import type { components } from '../client/api-types.js';
import type { CommandContext, Run } from './command-context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help-examples.js';

type Destination = components['schemas']['NotificationDestination'];
/** Event names as typed: Berth checks them and answers 400 with the list when one is wrong. */
type Events = NonNullable<components['schemas']['NotificationChannelInput']['subscriptions']>[number]['events'];
const URL_KINDS = ['webhook', 'slack', 'discord', 'teams'];

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('pass the destination on stdin (a URL with --kind, or its JSON)', EXIT.usage);
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** A bare URL with --kind (webhook, slack, discord, teams), or the whole destination as JSON. */
function parseDestination(text: string, kind: string | undefined): Destination {
  if (kind && URL_KINDS.includes(kind) && !text.startsWith('{')) return { kind, url: text } as Destination;
  try {
    return JSON.parse(text) as Destination;
  } catch {
    throw new CliError('stdin is neither a URL (with --kind webhook|slack|discord|teams) nor a destination in JSON', EXIT.usage);
  }
}

async function channelsApi(ctx: CommandContext, project: string | undefined) {
  const client = await ctx.client();
  return {
    list: () => (project ? client.GET('/projects/{project}/notification-channels', { params: { path: { project } } }) : client.GET('/notification-channels')),
    add: (body: components['schemas']['NotificationChannelInput']) =>
      project ? client.POST('/projects/{project}/notification-channels', { params: { path: { project } }, body }) : client.POST('/notification-channels', { body }),
    test: (channel: string) =>
      project
        ? client.POST('/projects/{project}/notification-channels/{channel}/test', { params: { path: { project, channel } } })
        : client.POST('/notification-channels/{channel}/test', { params: { path: { channel } } }),
    log: (channel: string) =>
      project
        ? client.GET('/projects/{project}/notification-channels/{channel}/messages', { params: { path: { project, channel }, query: {} } })
        : client.GET('/notification-channels/{channel}/messages', { params: { path: { channel }, query: {} } }),
    remove: (channel: string) =>
      project
        ? client.DELETE('/projects/{project}/notification-channels/{channel}', { params: { path: { project, channel } } })
        : client.DELETE('/notification-channels/{channel}', { params: { path: { channel } } }),
  };
}

export function registerNotificationCommands(program: Command, run: Run) {
  const n = program.command('notifications').description('Notification channels of a project (--project) or of the instance, their delivery log, a test message');
  const projectOption = () => new Option('--project <project>', 'the project’s channels (default: the instance’s)');

  n.command('list')
    .description('Channels, secrets masked')
    .addOption(projectOption())
    .addHelpText('after', examples(['berth notifications list --project shop', 'berth notifications list   # the instance’s channels']))
    .action(
      run(async (ctx, options: { project?: string }) => {
        const { items } = await unwrap((await channelsApi(ctx, options.project)).list());
        ctx.out.list(items, ['ID', 'NAME', 'KIND', 'ENABLED', 'EVENTS'], (c) => [c.id, c.name, c.kind, c.enabled ? 'yes' : 'no', c.subscriptions.map((s) => `${s.app ?? '*'}/${s.environment ?? '*'}: ${s.events.join(',')}`).join('; ')]);
      }),
    );

  n.command('add')
    .description('Add a channel; its destination comes on stdin (a URL with --kind, or JSON)')
    .argument('<name>', 'a name for people')
    .addOption(projectOption())
    .addOption(new Option('--kind <kind>', 'with a bare URL on stdin').choices(URL_KINDS))
    .option('--events <events>', 'comma-separated event types, or * (default)', '*')
    .option('--app <app>', 'only this app’s events')
    .option('--env <environment>', 'only environments of this name')
    .addHelpText(
      'after',
      examples([
        'printf %s "$SLACK_URL" | berth notifications add deploys --project shop --kind slack --events deploy.failed,deploy.rolled_back',
        'printf %s "$HOOK_URL" | berth notifications add hooks --project shop --kind webhook   # prints the signing secret once',
        `echo '{"kind":"pagerduty","routingKey":"…"}' | berth notifications add pager --project shop --events deploy.failed --env production`,
      ]),
    )
    .action(
      run(async (ctx, name: string, options: { project?: string; kind?: string; events: string; app?: string; env?: string }) => {
        const destination = parseDestination(await readStdin(), options.kind);
        const subscriptions = [{ app: options.app ?? null, environment: options.env ?? null, events: options.events.split(',').map((e) => e.trim()).filter(Boolean) as Events }];
        const made = await unwrap((await channelsApi(ctx, options.project)).add({ name, destination, subscriptions, enabled: true }));
        if (ctx.out.format === 'json') ctx.out.json(made);
        else ctx.out.line(made.id);
        if (made.signingSecret && ctx.out.format !== 'json') ctx.out.note(`signing secret (shown once): ${made.signingSecret}`);
      }),
    );

  n.command('test')
    .description('Send a test message now; exits 0 when the receiver took it')
    .argument('<channel>', 'the channel id (ntc_…)')
    .addOption(projectOption())
    .action(
      run(async (ctx, channel: string, options: { project?: string }) => {
        const result = await unwrap((await channelsApi(ctx, options.project)).test(channel));
        if (ctx.out.format === 'json') ctx.out.json(result);
        else ctx.out.note(result.outcome === 'sent' ? `sent (${result.responseStatus ?? 'ok'})` : `${result.outcome}: ${result.error ?? ''}`);
        return result.outcome === 'sent' ? EXIT.ok : EXIT.failed;
      }),
    );

  n.command('log')
    .description('The channel’s delivery log, newest first')
    .argument('<channel>', 'the channel id (ntc_…)')
    .addOption(projectOption())
    .action(
      run(async (ctx, channel: string, options: { project?: string }) => {
        const { items } = await unwrap((await channelsApi(ctx, options.project)).log(channel));
        ctx.out.list(items, ['ID', 'EVENT', 'STATUS', 'ATTEMPTS', 'ANSWER', 'CREATED'], (m) => [m.id, m.eventType, m.status, String(m.attempts), m.lastError ?? String(m.responseStatus ?? ''), m.createdAt]);
      }),
    );

  n.command('remove')
    .description('Remove a channel and its delivery log')
    .argument('<channel>', 'the channel id (ntc_…)')
    .addOption(projectOption())
    .action(
      run(async (ctx, channel: string, options: { project?: string }) => {
        await unwrap((await channelsApi(ctx, options.project)).remove(channel));
        ctx.out.note(`removed ${channel}`);
      }),
    );
}
