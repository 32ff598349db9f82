// Looking at what Berth runs: apps, their environments, an environment's status (live release,
// its health, what deploys now), and where it answers.
import type { Command } from 'commander';
import { unwrap, type BerthClient, type Schemas } from '../client/berth-client.js';
import type { Run } from './command-context.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help-examples.js';
import { formatMs } from './phase-board.js';

export function registerAppCommands(program: Command, run: Run) {
  program
    .command('apps')
    .description('List the apps you may read')
    .option('--project <name>', 'only this project’s apps')
    .addHelpText('after', examples(['berth apps', 'berth apps --project shop -o json', 'berth apps | cut -f1            # names, one a line']))
    .action(
      run(async (ctx, options: { project?: string }) => {
        const { items } = await unwrap((await ctx.client()).GET('/apps', { params: { query: options.project ? { project: options.project } : {} } }));
        ctx.out.list(items, ['NAME', 'PROJECT', 'KIND', 'IMAGE', 'REPLICAS'], (a) => [a.name, a.project, a.kind, a.image, a.replicas]);
      }),
    );

  program
    .command('envs')
    .description('List an app’s environments')
    .argument('<app>', 'the app')
    .addHelpText('after', examples(['berth envs web', 'berth envs web -o json']))
    .action(
      run(async (ctx, app: string) => {
        const client = await ctx.client();
        const { items } = await unwrap(client.GET('/apps/{app}/environments', { params: { path: { app } } }));
        ctx.out.list(items, ['NAME', 'URL', 'HOST', 'LIVE DEPLOYMENT', 'QUEUE POLICY', 'PARENT'], (e) => [e.name, e.url, e.placement, e.liveDeploymentId, e.queuePolicy, e.parent]);
      }),
    );

  program
    .command('status')
    .description('What an environment runs: its live release and that release’s health, and what deploys now')
    .argument('<target>', 'APP (every environment) or APP/ENV')
    .addHelpText('after', examples(['berth status web', 'berth status web/prod', 'berth status web/prod -o json']))
    .action(
      run(async (ctx, target: string) => {
        const [app, env, extra] = target.split('/');
        if (!app || extra !== undefined) throw new CliError(`${target}: give APP or APP/ENV`, EXIT.usage);
        const client = await ctx.client();
        const envs = env ? [env] : (await unwrap(client.GET('/apps/{app}/environments', { params: { path: { app } } }))).items.map((e) => e.name);
        const statuses = await Promise.all(envs.map((e) => environmentStatus(client, app, e)));
        if (ctx.out.format === 'json') return ctx.out.json(env ? statuses[0] : statuses);
        if (!env) {
          return ctx.out.list(statuses, ['ENV', 'RELEASE', 'HEALTH', 'NOW', 'URL'], (s) => [
            s.environment.name,
            s.liveRelease ? `#${s.liveRelease.number}` : null,
            s.health.outcome,
            s.lane.current ? `deploying ${s.lane.current}${s.lane.queued.length ? ` (+${s.lane.queued.length} queued)` : ''}` : 'idle',
            s.environment.url,
          ]);
        }
        for (const line of describeStatus(statuses[0] as EnvironmentStatus)) ctx.out.line(line);
      }),
    );

  program
    .command('open')
    .description('Print where an environment answers (or, with --temporal, its latest deployment in the Temporal Web UI)')
    .argument('<app>', 'the app')
    .argument('<env>', 'the environment')
    .option('--temporal', 'the Temporal Web UI link of the latest deployment')
    .addHelpText('after', examples(['berth open web prod', 'xdg-open "$(berth open web prod --temporal)"']))
    .action(
      run(async (ctx, app: string, env: string, options: { temporal?: boolean }) => {
        const client = await ctx.client();
        const environment = await unwrap(client.GET('/apps/{app}/environments/{env}', { params: { path: { app, env } } }));
        const latest = (await unwrap(client.GET('/apps/{app}/environments/{env}/deployments', { params: { path: { app, env }, query: { limit: 1 } } }))).items[0];
        if (ctx.out.format === 'json') return ctx.out.json({ url: environment.url, hosts: environment.hosts, temporalUrl: latest?.temporalUrl ?? null });
        if (!options.temporal) return ctx.out.line(environment.url);
        if (!latest) throw new CliError(`${app}/${env} has no deployment yet`, EXIT.notFound);
        ctx.out.line(latest.temporalUrl);
      }),
    );
}

export interface EnvironmentStatus {
  environment: Schemas['Environment'];
  liveRelease: Schemas['Release'] | null;
  liveDeployment: Schemas['Deployment'] | null;
  /** The live release's health as its deployment's health gate found it, and drift reconcile found since. */
  health: { outcome: string; message: string | null; lastReconcile: Schemas['ReconcileEvent'] | null };
  lane: { current: string | null; queued: string[] };
  latest: Schemas['Deployment'] | null;
}

async function environmentStatus(client: BerthClient, app: string, env: string): Promise<EnvironmentStatus> {
  const path = { app, env };
  const [environment, releases, lane, recent, reconcile] = await Promise.all([
    unwrap(client.GET('/apps/{app}/environments/{env}', { params: { path } })),
    unwrap(client.GET('/apps/{app}/environments/{env}/releases', { params: { path } })),
    unwrap(client.GET('/apps/{app}/environments/{env}/lane', { params: { path } })),
    unwrap(client.GET('/apps/{app}/environments/{env}/deployments', { params: { path, query: { limit: 1 } } })),
    unwrap(client.GET('/reconcile/events', { params: { query: { app, env, limit: 1 } } })),
  ]);
  const liveDeployment = environment.liveDeploymentId
    ? await unwrap(client.GET('/deployments/{id}', { params: { path: { id: environment.liveDeploymentId } } }))
    : null;
  const gate = liveDeployment?.phases.find((p) => p.phase === 'health') ?? liveDeployment?.services.flatMap((s) => s.phases).find((p) => p.phase === 'health');
  return {
    environment,
    liveRelease: releases.items.find((r) => r.live) ?? null,
    liveDeployment,
    health: {
      outcome: liveDeployment ? (gate?.outcome === 'succeeded' ? 'passed' : (gate?.outcome ?? 'unchecked')) : 'nothing live',
      message: gate?.message ?? null,
      lastReconcile: reconcile.items[0] ?? null,
    },
    lane: { current: lane.current, queued: lane.queued },
    latest: recent.items[0] ?? null,
  };
}

function describeStatus(s: EnvironmentStatus): string[] {
  const lines = [`${s.environment.app}/${s.environment.name}   ${s.environment.url}`, `host      ${s.environment.placement}`];
  if (s.liveRelease && s.liveDeployment) {
    const since = s.liveDeployment.finishedAt ? ` since ${s.liveDeployment.finishedAt}` : '';
    lines.push(`live      release #${s.liveRelease.number}  ${s.liveRelease.imageRef}  (${s.liveDeployment.id}${since})`);
  } else {
    lines.push('live      nothing');
  }
  lines.push(`health    ${s.health.outcome}${s.health.message ? `: ${s.health.message}` : ''}`);
  const r = s.health.lastReconcile;
  if (r) lines.push(`reconcile ${r.drift}: ${r.action} (${r.outcome}) at ${r.at}`);
  if (s.lane.current) lines.push(`deploying ${s.lane.current}${s.lane.queued.length ? `; queued: ${s.lane.queued.join(', ')}` : ''}`);
  else lines.push('deploying nothing');
  const l = s.latest;
  if (l && l.id !== s.liveDeployment?.id && l.id !== s.lane.current) {
    const took = l.finishedAt ? ` in ${formatMs(Date.parse(l.finishedAt) - Date.parse(l.createdAt))}` : '';
    lines.push(`latest    ${l.id} ${l.status}${took}${l.message ? `: ${l.message}` : ''}`);
  }
  return lines;
}
