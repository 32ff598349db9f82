// A running canary from the terminal: where it is, and promote, pause, resume or abort, each
// answered once the deployment's workflow has taken it (docs/progressive-delivery.md#canary).
import type { Command } from 'commander';
import { unwrap, type Schemas } from '../client/berth-client.js';
import type { CommandContext, Run } from './command-context.js';
import { examples } from './help-examples.js';

type CanaryState = Schemas['CanaryState'];

const ACTIONS = {
  promote: 'straight to 100 %, skipping the steps left',
  pause: 'stop the current step’s timer (the analysis goes on and may still abort)',
  resume: 'start the paused step’s timer again',
  abort: 'traffic back on the stable release; the deployment ends failed with the reason',
} as const;

function show(ctx: CommandContext, id: string, s: CanaryState) {
  if (ctx.out.format === 'json') return ctx.out.json(s);
  const left = s.paused ? 'paused' : `${Math.ceil(s.remainingMs / 1000)} s left`;
  ctx.out.line(`${id}: step ${s.step}/${s.weights.length} at ${s.weight} % (${s.weights.join(' → ')} → 100 %), ${s.outcome === 'running' ? left : s.outcome}`);
  if (s.reason) ctx.out.line(`reason: ${s.reason}`);
  if (s.figures) ctx.out.line(`analysis: ${s.figures}`);
}

export function registerCanaryCommands(program: Command, run: Run) {
  const canary = program.command('canary').description('A running canary deployment: its step and analysis, or promote, pause, resume or abort it');
  canary
    .command('status')
    .description('The canary’s step, weight, time left and the analysis so far')
    .argument('<deployment>', 'the deployment id (dep_…)')
    .addHelpText('after', examples(['berth canary status dep_01hx…', 'berth canary status dep_01hx… -o json']))
    .action(
      run(async (ctx, id: string) => {
        show(ctx, id, await unwrap((await ctx.client()).GET('/deployments/{id}/canary', { params: { path: { id } } })));
      }),
    );
  for (const [action, description] of Object.entries(ACTIONS) as [keyof typeof ACTIONS, string][]) {
    const command = canary
      .command(action)
      .description(description)
      .argument('<deployment>', 'the deployment id (dep_…)')
      .addHelpText('after', examples([`berth canary ${action} dep_01hx…`, ...(action === 'abort' ? ['berth canary abort dep_01hx… --reason "checkout errors"'] : [])]));
    if (action === 'abort') command.option('--reason <text>', 'recorded with the deployment');
    command.action(
      run(async (ctx, id: string, options: { reason?: string }) => {
        const client = await ctx.client();
        const body = options.reason ? { reason: options.reason } : {};
        show(ctx, id, await unwrap(client.POST('/deployments/{id}/canary/{action}', { params: { path: { id, action } }, body })));
      }),
    );
  }
}
