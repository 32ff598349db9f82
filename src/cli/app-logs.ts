// `berth logs APP/ENV`: an environment's app logs (its running containers' output), for a
// time range or followed live, filtered by a regular expression, text, replica or service.
import { unwrap } from '../client/berth-client.js';
import { followAppLogs, type AppLogLine } from '../client/app-log-stream.js';
import type { CommandContext } from './command-context.js';
import { CliError, EXIT } from './exit-codes.js';

export interface AppLogOptions {
  follow?: boolean;
  grep?: string;
  contains?: string;
  since?: string;
  until?: string;
  tail?: string;
  replica?: string;
  service?: string;
}

/** APP/ENV as the target of `berth logs` (a deployment id has no slash). */
export const APP_ENV = /^([a-z0-9][a-z0-9-]*)\/([a-z0-9][a-z0-9-]*)$/;

function wholeNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,6}$/.test(value)) throw new CliError(`${option}: expected a whole number (got ${JSON.stringify(value)})`, EXIT.usage);
  return Number(value);
}

function printLine(ctx: CommandContext, multiple: boolean): (line: AppLogLine) => void {
  return (line) => {
    if (ctx.out.format === 'json') return ctx.out.line(JSON.stringify(line));
    const who = line.service ? `${line.service}.${line.replica ?? '?'}` : `#${line.replica ?? '?'}`;
    ctx.out.line(`${line.at.slice(0, 23)}Z ${multiple ? `${who} ` : ''}${line.stream === 'stderr' ? '! ' : ''}${line.message}`);
  };
}

export async function printAppLogs(ctx: CommandContext, target: string, options: AppLogOptions): Promise<void> {
  const [, app = '', env = ''] = APP_ENV.exec(target) ?? [];
  const tail = wholeNumber(options.tail, '--tail');
  const replica = wholeNumber(options.replica, '--replica');
  const common = {
    ...(options.since ? { since: options.since } : {}),
    ...(tail !== undefined ? { tail } : {}),
    ...(options.contains ? { contains: options.contains } : {}),
    ...(options.grep ? { match: options.grep } : {}),
    ...(replica !== undefined ? { replica } : {}),
    ...(options.service ? { service: options.service } : {}),
  };
  const print = printLine(ctx, replica === undefined);
  const client = await ctx.client();
  if (!options.follow) {
    const query = { ...common, ...(options.until ? { until: options.until } : {}) };
    const { items, truncated } = await unwrap(client.GET('/apps/{app}/environments/{env}/logs', { params: { path: { app, env }, query } }));
    items.forEach(print);
    if (truncated) ctx.out.note(`berth: older lines left out (--tail ${tail ?? 200}); narrow with --since/--until or raise --tail`);
    return;
  }
  if (options.until) throw new CliError('--until is for a time range; --follow prints lines as they come', EXIT.usage);
  const abort = new AbortController();
  const interrupt = () => abort.abort();
  process.once('SIGINT', interrupt);
  try {
    const ended = await followAppLogs(client, { app, env, query: common, onLine: print, signal: abort.signal });
    ctx.out.note(ended ? `berth: the containers of ${app}/${env} stopped` : 'berth: the log stream closed');
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    process.off('SIGINT', interrupt);
  }
}
