// berth keys: the keys that seal secrets (list) and their rotation (rotate, which waits and
// shows progress; status). Instance administrators only. No command ever shows a key.
import type { Command } from 'commander';
import { unwrap, type Schemas } from '../client/berth-client.js';
import type { CommandContext, Run } from './command-context.js';
import { EXIT } from './exit-codes.js';
import { examples } from './help-examples.js';

/** A rotation takes seconds to minutes; its progress is a workflow query, read this often. */
const WATCH_EVERY_MS = 1000;

type Rotation = Schemas['KeyRotation'];

function describeRotation(r: Rotation): string {
  const p = r.progress;
  if (!p) return `rotation ${r.status.toLowerCase()}`;
  const parts = [`key ${p.keyId}`, p.phase, `${p.resealed}/${p.pending} re-sealed`];
  if (p.retired.length) parts.push(`retired ${p.retired.join(', ')}`);
  if (p.unreadable.length) parts.push(`${p.unreadable.length} unreadable`);
  return parts.join(' · ');
}

async function watchRotation(ctx: CommandContext): Promise<Rotation> {
  const client = await ctx.client();
  let last = '';
  for (;;) {
    const r = await unwrap(client.GET('/admin/keys/rotation'));
    const line = describeRotation(r);
    if (line !== last && ctx.out.format !== 'json') ctx.out.note(line);
    last = line;
    if (r.status !== 'RUNNING') return r;
    await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
  }
}

export function registerKeysCommands(program: Command, run: Run) {
  const keys = program.command('keys').description('The keys that seal secrets at rest and in Temporal, and their rotation (instance administrators)');
  keys
    .command('list')
    .description('Key ids, states (current, active, retired) and how many stored values each seals')
    .addHelpText('after', examples(['berth keys list', 'berth keys list --output json']))
    .action(
      run(async (ctx) => {
        const { items } = await unwrap((await ctx.client()).GET('/admin/keys'));
        ctx.out.list(items, ['ID', 'STATE', 'SOURCE', 'VALUES', 'CREATED', 'RETIRED'], (k) => [k.id, k.state, k.source, String(k.values), k.createdAt ?? '-', k.retiredAt ?? '-']);
        return EXIT.ok;
      }),
    );
  keys
    .command('rotate')
    .description('Add a new key, re-seal every stored secret under it, retire the old ones; waits and shows progress (exit 0 when done)')
    .option('--batch-size <n>', 'values re-sealed per step', (v) => Number.parseInt(v, 10))
    .option('--no-wait', 'start it and return')
    .addHelpText('after', examples(['berth keys rotate', 'berth keys rotate --no-wait && berth keys status']))
    .action(
      run(async (ctx, options: { batchSize?: number; wait: boolean }) => {
        const client = await ctx.client();
        const started = await unwrap(client.POST('/admin/keys/rotate', { body: options.batchSize ? { batchSize: options.batchSize } : {} }));
        ctx.out.note(`rotation to key ${started.keyId} started: ${started.temporalUrl}`);
        if (!options.wait) {
          if (ctx.out.format === 'json') ctx.out.json(started);
          return EXIT.ok;
        }
        const done = await watchRotation(ctx);
        if (ctx.out.format === 'json') ctx.out.json(done);
        if (done.failure) ctx.out.note(`rotation failed: ${done.failure}`);
        return done.status === 'COMPLETED' ? EXIT.ok : EXIT.failed;
      }),
    );
  keys
    .command('purge')
    .description('Remove retired keys from the ring once nothing uses them (exit 7 when one is still in use: the answer says by how many values, workflows or schedules)')
    .argument('[ids...]', 'the keys to remove (default: every retired key but the configured one)')
    .addHelpText('after', examples(['berth keys purge', 'berth keys purge mk1a2b3c4d5e6f']))
    .action(
      run(async (ctx, ids: string[]) => {
        const client = await ctx.client();
        // The configured key wraps every other one: it is never a default target.
        const targets = ids.length ? ids : (await unwrap(client.GET('/admin/keys'))).items.filter((k) => k.state === 'retired' && k.source !== 'configured').map((k) => k.id);
        if (targets.length === 0) ctx.out.note('no retired key to remove');
        const removed: string[] = [];
        for (const id of targets) {
          removed.push((await unwrap(client.DELETE('/admin/keys/{id}', { params: { path: { id } } }))).id);
          ctx.out.note(`removed key ${id}`);
        }
        if (ctx.out.format === 'json') ctx.out.json({ removed });
        return EXIT.ok;
      }),
    );
  keys
    .command('status')
    .description('The latest rotation: status and progress (exit 0 once completed, 1 if it failed)')
    .option('--watch', 'follow it until it ends')
    .addHelpText('after', examples(['berth keys status', 'berth keys status --watch']))
    .action(
      run(async (ctx, options: { watch?: boolean }) => {
        const r = options.watch ? await watchRotation(ctx) : await unwrap((await ctx.client()).GET('/admin/keys/rotation'));
        if (ctx.out.format === 'json') ctx.out.json(r);
        else if (!options.watch) ctx.out.line(describeRotation(r));
        return r.status === 'COMPLETED' || r.status === 'RUNNING' ? EXIT.ok : EXIT.failed;
      }),
    );
}
