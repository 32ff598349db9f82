// berth hosts: the hosts Berth deploys to (list with liveness, show with Temporal's pollers),
// registering one ahead of its worker, joining its engine to the Swarm and taking it out,
// draining it, and removing one whose worker has stopped.
import type { Command } from 'commander';
import { unwrap, type Schemas } from '../client/berth-client.js';
import type { Run } from './command-context.js';
import { EXIT } from './exit-codes.js';
import { examples } from './help-examples.js';
import { parseAssignments } from './variable-assignments.js';

type Host = Schemas['Host'];

const row = (h: Host) => [h.id, h.address, h.alive ? 'alive' : 'down', h.draining ? 'draining' : '-', h.swarm ? `${h.swarm.state} ${h.swarm.nodeId.slice(0, 12)}` : '-', h.lastSeenAt ?? '-', Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-'];
const COLUMNS = ['ID', 'ADDRESS', 'WORKER', 'DRAINING', 'SWARM NODE', 'LAST SEEN', 'LABELS'];

export function registerHostCommands(program: Command, run: Run) {
  const hosts = program.command('hosts').description('The hosts Berth deploys to, each with its own worker (`berth worker --host ID`)');
  hosts
    .command('list', { isDefault: true })
    .description('Hosts, whether each one’s worker is alive, draining, labels')
    .addHelpText('after', examples(['berth hosts', 'berth hosts list --output json']))
    .action(
      run(async (ctx) => {
        const { items } = await unwrap((await ctx.client()).GET('/hosts'));
        ctx.out.list(items, COLUMNS, row);
        return EXIT.ok;
      }),
    );
  hosts
    .command('show <host>')
    .description('One host, with the workers Temporal sees polling its task queue')
    .action(
      run(async (ctx, id: string) => {
        const h = await unwrap((await ctx.client()).GET('/hosts/{host}', { params: { path: { host: id } } }));
        if (ctx.out.format === 'json') ctx.out.json(h);
        else {
          ctx.out.list([h], COLUMNS, row);
          for (const p of h.pollers ?? []) ctx.out.line(`poller ${p.identity} last poll ${p.lastAccessTime ?? '-'}`);
          const drain = h.drain;
          if (drain) {
            ctx.out.line(`drain ${drain.state}: ${drain.moved.length}/${drain.total} moved to ${drain.target ?? 'the installation’s own host'}${drain.current ? `; moving ${drain.current.environment}` : ''}`);
            for (const f of drain.failed) ctx.out.line(`not moved ${f.environment}: ${f.message}`);
          }
          if (h.pollers === null) ctx.out.note('Temporal did not say who polls its task queue');
        }
        return EXIT.ok;
      }),
    );
  hosts
    .command('add <host>')
    .description('Register a host ahead of its worker')
    .requiredOption('--address <address>', 'where Traefik and the probes reach its containers (a private address)')
    .option('--label <key=value...>', 'placement labels', [])
    .addHelpText('after', examples(['berth hosts add edge-2 --address 10.0.0.12 --label region=eu']))
    .action(
      run(async (ctx, id: string, options: { address: string; label: string[] }) => {
        const h = await unwrap((await ctx.client()).POST('/hosts', { body: { id, address: options.address, labels: await parseAssignments(options.label), capacity: {} } }));
        if (ctx.out.format === 'json') ctx.out.json(h);
        else ctx.out.note(`host ${h.id} registered; start \`berth worker --host ${h.id}\` on it`);
        return EXIT.ok;
      }),
    );
  hosts
    .command('join-swarm <host>')
    .description('Join the host’s Docker engine to the installation’s Swarm, run by its own worker (a host in it already answers its node)')
    .addHelpText('after', examples(['berth hosts join-swarm edge-2', 'berth hosts join-swarm edge-2 --output json | jq -r .nodeId']))
    .action(
      run(async (ctx, id: string) => {
        const joined = await unwrap((await ctx.client()).POST('/hosts/{host}/swarm', { params: { path: { host: id } } }));
        if (ctx.out.format === 'json') ctx.out.json(joined);
        else ctx.out.note(joined.joined ? `host ${id} joined the Swarm as node ${joined.nodeId}` : `host ${id} is in the Swarm already (node ${joined.nodeId})`);
        return EXIT.ok;
      }),
    );
  hosts
    .command('leave-swarm <host>')
    .description('Take the host’s engine out of the Swarm: its node drained, the engine left, the node removed (refused while a service is pinned to it)')
    .addHelpText('after', examples(['berth hosts drain edge-2 && berth hosts leave-swarm edge-2']))
    .action(
      run(async (ctx, id: string) => {
        await unwrap((await ctx.client()).DELETE('/hosts/{host}/swarm', { params: { path: { host: id } } }));
        ctx.out.note(`host ${id} is out of the Swarm`);
        return EXIT.ok;
      }),
    );
  hosts
    .command('drain <host>')
    .description('No new placement on the host; its environments move to another host, one after another, by deploys (`berth hosts show` follows the progress)')
    .option('--to <host>', 'where the environments go (default: the installation’s own host)')
    .addHelpText('after', examples(['berth hosts drain edge-2', 'berth hosts drain edge-2 --to edge-3', 'berth hosts show edge-2 --output json | jq .drain']))
    .action(
      run(async (ctx, id: string, options: { to?: string }) => {
        const body = options.to === undefined ? { draining: true } : { draining: true, drainTo: options.to };
        const h = await unwrap((await ctx.client()).PATCH('/hosts/{host}', { params: { path: { host: id } }, body }));
        if (ctx.out.format === 'json') ctx.out.json(h);
        else ctx.out.note(h.drain?.state === 'moving' ? `host ${h.id} draining: moving ${h.drain.total} environment(s) to ${h.drain.target ?? 'the installation’s own host'}` : `host ${h.id} draining`);
        return EXIT.ok;
      }),
    );
  hosts
    .command('undrain <host>')
    .description('The host takes placements again')
    .action(
      run(async (ctx, id: string) => {
        const h = await unwrap((await ctx.client()).PATCH('/hosts/{host}', { params: { path: { host: id } }, body: { draining: false } }));
        if (ctx.out.format === 'json') ctx.out.json(h);
        else ctx.out.note(`host ${h.id} takes placements`);
        return EXIT.ok;
      }),
    );
  hosts
    .command('remove <host>')
    .description('Remove a host whose worker has stopped')
    .action(
      run(async (ctx, id: string) => {
        await unwrap((await ctx.client()).DELETE('/hosts/{host}', { params: { path: { host: id } } }));
        ctx.out.note(`host ${id} removed`);
        return EXIT.ok;
      }),
    );
}
