// Signing the CLI in to a Berth: `login` checks a token against the Berth and saves it as a
// context; `whoami`, `logout` and `context list|use|remove` work on the saved ones.
import type { Command } from 'commander';
import { createBerthClient, unwrap } from '../client/berth-client.js';
import type { Run } from './command-context.js';
import { configPath, readContexts, writeContexts } from './contexts.js';
import { CliError, EXIT } from './exit-codes.js';
import { examples } from './help-examples.js';
import { readSecretLine } from './secret-input.js';

export function registerSessionCommands(program: Command, run: Run) {
  program
    .command('login')
    .description('Save a Berth and an API token as a context, after checking the token with that Berth')
    .argument('<url>', 'where Berth’s API answers, e.g. http://127.0.0.1:7480')
    .option('--token-stdin', 'read the token from stdin (for scripts; nothing is asked)')
    .option('--name <context>', 'the context’s name (default: the URL’s host)')
    .addHelpText(
      'after',
      examples([
        'berth login http://127.0.0.1:7480                 # asks for the token (berth_pat_…)',
        'printf %s "$TOKEN" | berth login https://berth.example.com --token-stdin --name prod',
        'BERTH_URL=… BERTH_TOKEN=… berth apps                 # no login: the environment wins',
      ]) + `\nTokens come from POST /api/v1/tokens or \`berth admin create-token\`. Contexts are kept in ${configPath()} (mode 0600).\n`,
    )
    .action(
      run(async (ctx, url: string, options: { tokenStdin?: boolean; name?: string }) => {
        let parsed: URL;
        try {
          parsed = new URL(url);
        } catch {
          throw new CliError(`${url} is not a URL (e.g. http://127.0.0.1:7480)`, EXIT.usage);
        }
        const token = options.tokenStdin ? await readStdin() : await readSecretLine('API token (berth_pat_…): ');
        if (!token) throw new CliError('no token given', EXIT.usage);
        const base = parsed.origin + parsed.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
        const me = await unwrap(createBerthClient({ url: base, token }).GET('/auth/whoami'));
        const name = options.name ?? parsed.host;
        const file = await readContexts();
        file.contexts[name] = { url: base, token, user: me.user.email };
        file.current = name;
        await writeContexts(file);
        if (ctx.out.format === 'json') ctx.out.json({ context: name, url: base, user: me.user.email, scope: me.scope });
        ctx.out.note(`Logged in to ${base} as ${me.user.email} (token scope ${me.scope}); context ${name} is current.`);
      }),
    );

  program
    .command('logout')
    .description('Forget the current (or named) context’s token; --revoke also revokes it on Berth')
    .option('--revoke', 'revoke the token on Berth first')
    .addHelpText('after', examples(['berth logout', 'berth logout --revoke --context prod']))
    .action(
      run(async (ctx, options: { revoke?: boolean }) => {
        const file = await readContexts();
        const name = ctx.globals.context ?? file.current;
        if (!name || !file.contexts[name]) throw new CliError('no saved context to log out of', EXIT.usage);
        if (options.revoke) {
          const client = await ctx.client();
          const me = await unwrap(client.GET('/auth/whoami'));
          if (me.tokenId) await unwrap(client.DELETE('/tokens/{id}', { params: { path: { id: me.tokenId } } }));
        }
        delete file.contexts[name];
        if (file.current === name) file.current = null;
        await writeContexts(file);
        ctx.out.note(`Logged out of ${name}${options.revoke ? ' (token revoked)' : ''}.`);
      }),
    );

  program
    .command('whoami')
    .description('Who the CLI is signed in as, on which Berth')
    .addHelpText('after', examples(['berth whoami', 'berth whoami -o json | jq -r .user.email']))
    .action(
      run(async (ctx) => {
        const target = await ctx.target();
        const me = await unwrap((await ctx.client()).GET('/auth/whoami'));
        if (ctx.out.format === 'json') return ctx.out.json({ ...me, url: target.url, context: target.context });
        const who = `${me.user.email}${me.user.isAdmin ? ' (instance administrator)' : ''}`;
        ctx.out.line(`${who} on ${target.url}${target.context ? ` (context ${target.context})` : ' (BERTH_URL)'}`);
        ctx.out.line(`signed in with ${me.via === 'token' ? `token ${me.tokenId}` : 'a session'}, scope ${me.scope}${me.projectRestriction ? `, project ${me.projectRestriction} only` : ''}`);
      }),
    );

  const context = program.command('context').description('Saved Berths and tokens (kubectl-style contexts)');
  context
    .command('list', { isDefault: true })
    .description('List the saved contexts')
    .addHelpText('after', examples(['berth context list']))
    .action(
      run(async (ctx) => {
        const file = await readContexts();
        const items = Object.entries(file.contexts).map(([name, c]) => ({ name, current: name === file.current, url: c.url, user: c.user ?? null }));
        ctx.out.list(items, ['CURRENT', 'NAME', 'URL', 'USER'], (c) => [c.current ? '*' : '', c.name, c.url, c.user]);
      }),
    );
  context
    .command('use')
    .description('Make a saved context the current one')
    .argument('<name>', 'a context from berth context list')
    .addHelpText('after', examples(['berth context use prod']))
    .action(
      run(async (ctx, name: string) => {
        const file = await readContexts();
        if (!file.contexts[name]) throw new CliError(`no context ${name} (berth context list shows them)`, EXIT.notFound);
        file.current = name;
        await writeContexts(file);
        ctx.out.note(`Context ${name} (${file.contexts[name]?.url}) is current.`);
      }),
    );
  context
    .command('remove')
    .description('Forget a saved context')
    .argument('<name>', 'a context from berth context list')
    .addHelpText('after', examples(['berth context remove staging']))
    .action(
      run(async (ctx, name: string) => {
        const file = await readContexts();
        if (!file.contexts[name]) throw new CliError(`no context ${name}`, EXIT.notFound);
        delete file.contexts[name];
        if (file.current === name) file.current = null;
        await writeContexts(file);
        ctx.out.note(`Removed context ${name}.`);
      }),
    );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}
